// AuditStore: the audit log in PostgreSQL, the only place with its SQL.
//
// One log per log id (a tenant). Appending is serialised per log by an
// advisory lock (a single sequencer), gives consecutive indexes, is
// idempotent by event id, and records the hash of every Merkle subtree that
// the new entries complete, in the same transaction. Roots therefore come
// from O(log n) stored hashes, never from rehashing the log. Thread-safe.
#ifndef HARTSLAG_SERVICES_AUDIT_AUDIT_STORE_H_
#define HARTSLAG_SERVICES_AUDIT_AUDIT_STORE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/db.h"
#include "services/common/migrations.h"

namespace hartslag {
// audit's schema, compiled in from migrations/.
std::vector<db::Migration> AuditMigrations();
}  // namespace hartslag

namespace hartslag::audit {

inline constexpr char kSchema[] = "audit";

struct AuditEntry {
  std::string event_id;  // UUID; a second append of the same id is skipped
  std::string bytes;     // the entry as the log stores and hashes it
};

class AuditStore {
 public:
  explicit AuditStore(db::Pool* pool) : pool_(pool) {}

  // Appends `entries` in order and returns the log's new size.
  absl::StatusOr<uint64_t> Append(const std::string& log_id, const std::vector<AuditEntry>& entries);
  absl::StatusOr<uint64_t> Size(const std::string& log_id);
  // The root hash of the first `tree_size` entries, from the stored hashes.
  absl::StatusOr<std::string> Root(const std::string& log_id, uint64_t tree_size);
  // Writes the log as JSON Lines (log_export.h), in index order.
  absl::Status Export(const std::string& log_id, std::ostream& out);

 private:
  db::Pool* pool_;
};

}  // namespace hartslag::audit

#endif  // HARTSLAG_SERVICES_AUDIT_AUDIT_STORE_H_
