// Signed tree heads: the log's size and root hash at a moment, signed with
// the log's Ed25519 key, so anyone holding the public key can check that a
// log they were given is the one the service vouched for.
//
// The signature covers these bytes (UTF-8, "\n"-separated, no trailing
// newline):
//   hartslag-audit-tree-head-v1
//   <tree_size in decimal>
//   <root hash in lowercase hex>
//   <timestamp as Unix milliseconds in decimal>
// and the JSON form is
//   {"tree_size": 3, "root_hash": "<hex>", "timestamp_ms": 1764384000000,
//    "key_id": "<key id>", "signature": "<base64url>"}
#ifndef HARTSLAG_LIBS_AUDIT_VERIFY_TREE_HEAD_H_
#define HARTSLAG_LIBS_AUDIT_VERIFY_TREE_HEAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "services/common/token.h"

namespace hartslag::audit {

struct TreeHead {
  uint64_t tree_size = 0;
  std::string root_hash;  // 32 raw bytes
  absl::Time timestamp;   // millisecond precision
  std::string key_id;
  std::string signature;  // 64 raw bytes
};

// Signs size, root and time with `key` (an Ed25519 private key).
absl::StatusOr<TreeHead> SignTreeHead(uint64_t tree_size, std::string root_hash, absl::Time timestamp,
                                      EVP_PKEY* key);
// OK if `head` was signed by `key` (an Ed25519 public key) and names its key id.
absl::Status VerifyTreeHead(const TreeHead& head, EVP_PKEY* key);

std::string TreeHeadToJson(const TreeHead& head);
// The form the audit service's API carries (GetTreeHead, proofs, exports).
v1::SignedTreeHead TreeHeadToProto(const TreeHead& head);
TreeHead TreeHeadFromProto(const v1::SignedTreeHead& head);
absl::StatusOr<TreeHead> TreeHeadFromJson(absl::string_view json);

}  // namespace hartslag::audit

#endif  // HARTSLAG_LIBS_AUDIT_VERIFY_TREE_HEAD_H_
