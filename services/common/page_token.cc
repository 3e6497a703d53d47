#include "services/common/page_token.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
#include "services/common/text.h"

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

std::string FilterFingerprint(const google::protobuf::Message& filter) {
  std::string named = absl::StrCat(filter.GetDescriptor()->full_name(), "\n", DeterministicBytes(filter));
  return HexEncode(Sha256(named)).substr(0, 16);
}

std::vector<std::string> TimeIdPosition(const google::protobuf::Timestamp& time, const std::string& id) {
  return {absl::StrCat(google::protobuf::util::TimeUtil::TimestampToMicroseconds(time)), id};
}

absl::StatusOr<std::optional<std::pair<absl::Time, std::string>>> AfterTimeId(const Paging& paging) {
  if (paging.after.empty()) return std::nullopt;
  int64_t micros = 0;
  // PostgreSQL's timestamps end at year 294276; a caller's hand-made token
  // must not reach it as a database error.
  constexpr int64_t kYear1 = -62135596800LL * 1000000, kYear10000 = 253402300800LL * 1000000;
  if (paging.after.size() != 2 || !absl::SimpleAtoi(paging.after[0], &micros) || micros < kYear1 ||
      micros >= kYear10000 || !IsUuid(paging.after[1])) {
    return absl::InvalidArgumentError("page_token: not a token from a previous page");
  }
  return std::make_pair(absl::FromUnixMicros(micros), paging.after[1]);
}

}  // namespace hartslag
