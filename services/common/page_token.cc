#include "services/common/page_token.h"

#include "nlohmann/json.hpp"
#include "services/common/crypto.h"

namespace hartslag {

std::string EncodePageToken(absl::string_view filter_fingerprint,
                            const std::vector<std::string>& position) {
  nlohmann::json token = {{"f", filter_fingerprint}, {"p", position}};
  return Base64UrlEncode(token.dump());
}

absl::StatusOr<std::vector<std::string>> DecodePageToken(absl::string_view token,
                                                         absl::string_view filter_fingerprint) {
  auto invalid = [] {
    return absl::InvalidArgumentError("page_token: not a token from a previous page");
  };
  auto json = Base64UrlDecode(token);
  if (!json) return invalid();
  auto parsed = nlohmann::json::parse(*json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("f") || !parsed["f"].is_string() ||
      !parsed.contains("p") || !parsed["p"].is_array()) {
    return invalid();
  }
  if (parsed["f"].get<std::string>() != filter_fingerprint) {
    return absl::InvalidArgumentError(
        "page_token: made for a different filter; repeat the first request's filter");
  }
  std::vector<std::string> position;
  for (const auto& item : parsed["p"]) {
    if (!item.is_string()) return invalid();
    position.push_back(item.get<std::string>());
  }
  return position;
}

absl::StatusOr<int> EffectivePageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

}  // namespace hartslag
