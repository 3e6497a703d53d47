#include "libs/audit_verify/tree_head.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::audit {
namespace {

std::string SignedBytes(uint64_t tree_size, absl::string_view root_hash, absl::Time timestamp) {
  return absl::StrCat("hartslag-audit-tree-head-v1\n", tree_size, "\n", HexEncode(root_hash), "\n",
                      absl::ToUnixMillis(timestamp));
}

}  // namespace

absl::StatusOr<TreeHead> SignTreeHead(uint64_t tree_size, std::string root_hash,
                                      absl::Time timestamp, EVP_PKEY* key) {
  TreeHead head;
  head.tree_size = tree_size;
  head.root_hash = std::move(root_hash);
  head.timestamp = absl::FromUnixMillis(absl::ToUnixMillis(timestamp));
  ASSIGN_OR_RETURN(head.key_id, KeyIdOf(key));
  ASSIGN_OR_RETURN(head.signature,
                   Ed25519Sign(key, SignedBytes(head.tree_size, head.root_hash, head.timestamp)));
  return head;
}

absl::Status VerifyTreeHead(const TreeHead& head, EVP_PKEY* key) {
  ASSIGN_OR_RETURN(std::string key_id, KeyIdOf(key));
  if (head.key_id != key_id) {
    return absl::FailedPreconditionError("tree head: signed with another key (key id differs)");
  }
  if (!Ed25519Verify(key, SignedBytes(head.tree_size, head.root_hash, head.timestamp), head.signature)) {
    return absl::FailedPreconditionError("tree head: the signature does not match");
  }
  return absl::OkStatus();
}

std::string TreeHeadToJson(const TreeHead& head) {
  nlohmann::ordered_json json = {{"tree_size", head.tree_size},
                                 {"root_hash", HexEncode(head.root_hash)},
                                 {"timestamp_ms", absl::ToUnixMillis(head.timestamp)},
                                 {"key_id", head.key_id},
                                 {"signature", Base64UrlEncode(head.signature)}};
  return json.dump();
}

absl::StatusOr<TreeHead> TreeHeadFromJson(absl::string_view text) {
  auto json = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  auto invalid = [](absl::string_view field) {
    return absl::InvalidArgumentError(absl::StrCat("tree head: ", field, " missing or malformed"));
  };
  if (!json.is_object()) return invalid("JSON object");
  TreeHead head;
  if (!json.contains("tree_size") || !json["tree_size"].is_number_unsigned()) return invalid("tree_size");
  head.tree_size = json["tree_size"].get<uint64_t>();
  if (!json.contains("root_hash") || !json["root_hash"].is_string()) return invalid("root_hash");
  std::string hex = json["root_hash"].get<std::string>();
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return invalid("root_hash");
  }
  head.root_hash = absl::HexStringToBytes(hex);
  if (!json.contains("timestamp_ms") || !json["timestamp_ms"].is_number_integer()) {
    return invalid("timestamp_ms");
  }
  head.timestamp = absl::FromUnixMillis(json["timestamp_ms"].get<int64_t>());
  if (!json.contains("key_id") || !json["key_id"].is_string()) return invalid("key_id");
  head.key_id = json["key_id"].get<std::string>();
  if (!json.contains("signature") || !json["signature"].is_string()) return invalid("signature");
  auto signature = Base64UrlDecode(json["signature"].get<std::string>());
  if (!signature) return invalid("signature");
  head.signature = *signature;
  return head;
}

v1::SignedTreeHead TreeHeadToProto(const TreeHead& head) {
  v1::SignedTreeHead out;
  out.set_tree_size(head.tree_size);
  out.set_root_hash(head.root_hash);
  *out.mutable_timestamp() = TimeToProto(head.timestamp);
  out.set_key_id(head.key_id);
  out.set_signature(head.signature);
  return out;
}

TreeHead TreeHeadFromProto(const v1::SignedTreeHead& head) {
  TreeHead out;
  out.tree_size = head.tree_size();
  out.root_hash = head.root_hash();
  out.timestamp = absl::FromUnixMillis(head.timestamp().seconds() * 1000 + head.timestamp().nanos() / 1000000);
  out.key_id = head.key_id();
  out.signature = head.signature();
  return out;
}

}  // namespace hartslag::audit
