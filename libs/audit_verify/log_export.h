// The exported audit log, as JSON Lines, and its offline verification.
//
// One entry per line, in index order:
//   {"index": 0, "leaf": "<entry bytes, standard base64>", "leaf_hash": "<hex>"}
// `leaf_hash` is the leaf hash the log recorded when it appended the entry
// (kept apart from the entry itself), so an entry changed afterwards is found
// by its index even when the tree head is not at hand.
//
// Verification needs no database and no service: it recomputes every leaf
// hash and the Merkle root, and checks them against the recorded hashes and,
// if given, a signed tree head.
#ifndef HARTSLAG_LIBS_AUDIT_VERIFY_LOG_EXPORT_H_
#define HARTSLAG_LIBS_AUDIT_VERIFY_LOG_EXPORT_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/audit_verify/tree_head.h"

namespace hartslag::audit {

// The most entries one ExportLog page holds, and about the most entry bytes:
// a page ends before it would pass them (but holds at least one entry), so
// that it stays well inside the 4 MiB message limit whatever the entries.
inline constexpr int kMaxExportPage = 5000;
inline constexpr int64_t kMaxExportPageBytes = 1 << 20;

std::string ExportLine(uint64_t index, absl::string_view entry, absl::string_view leaf_hash);

struct VerifiedLog {
  uint64_t tree_size = 0;
  std::string root_hash;  // 32 raw bytes
};

// Reads the exported lines and recomputes the log. With `head` and `key`,
// also checks the tree head's signature and that the log's first
// head.tree_size entries have its root. On a mismatch: FAILED_PRECONDITION
// whose message starts "entry <index>:" for the first bad entry, or
// "tree head:" when only the root disagrees.
absl::StatusOr<VerifiedLog> VerifyExportedLog(std::istream& lines,
                                              const std::optional<TreeHead>& head, EVP_PKEY* key);

}  // namespace hartslag::audit

#endif  // HARTSLAG_LIBS_AUDIT_VERIFY_LOG_EXPORT_H_
