// AuditStore: the audit log in PostgreSQL, the only place with its SQL.
//
// One log per log id (a tenant). Appending is serialised per log by an
// advisory lock (a single sequencer), gives consecutive indexes, is
// idempotent by event id, and records the hash of every Merkle subtree of
// 16 leaves or more that the new entries complete (each entry carries its
// leaf hash), in the same transaction and in COPY statements. An entry's
// search columns are a row of their own, written before the lock where the
// append can expect its first index (append_order.h). Roots and
// proofs therefore come from O(log n) stored hashes and at most a few blocks
// of 16 leaf hashes, fetched in one query, never from rehashing the log.
// Thread-safe.
#ifndef HARTSLAG_SERVICES_AUDIT_AUDIT_STORE_H_
#define HARTSLAG_SERVICES_AUDIT_AUDIT_STORE_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "libs/audit_verify/tree_head.h"
#include "services/audit/append_order.h"
#include "services/common/audit_trail.h"
#include "services/common/db.h"
#include "services/common/migrations.h"

namespace hartslag {
// audit's schema, compiled in from migrations/.
std::vector<db::Migration> AuditMigrations();
}  // namespace hartslag

namespace hartslag::audit {

inline constexpr char kSchema[] = "audit";

// The bytes the log stores and hashes for an event: its deterministic
// protobuf encoding.
std::string EntryBytes(const v1::AuditEvent& event);

struct StoredEntry {
  uint64_t index = 0;
  std::string bytes;
  std::string leaf_hash;  // as recorded at append time
};

struct AppendResult {
  uint64_t size = 0;      // the log's size afterwards
  int appended = 0;       // entries that were new
};

// A search of one log, newest (highest index) first. Unset fields do not filter.
struct EventQuery {
  std::string log_id;
  std::optional<std::string> subject;  // a pseudonym
  std::optional<std::string> actor_user_id;
  std::optional<std::string> organisation_id;
  std::optional<std::string> object_type;
  std::optional<std::string> object_id;
  std::optional<v1::Action> action;
  std::optional<v1::Outcome> outcome;
  std::optional<absl::Time> from;  // inclusive
  std::optional<absl::Time> to;    // exclusive
  std::optional<uint64_t> before_index;  // keyset position
  // Leaves out entries under an active restriction for `subject`.
  bool apply_restrictions = false;
  // Leaves out entries about objects of these types.
  std::vector<std::string> exclude_object_types;
  int limit = 50;
};

struct InclusionPath {
  std::string entry;
  std::vector<std::string> path;
};

class AuditStore {
 public:
  explicit AuditStore(db::Pool* pool) : pool_(pool) {}

  // Appends the events that are new to the log, in order.
  absl::StatusOr<AppendResult> Append(const std::string& log_id,
                                      const std::vector<v1::AuditEvent>& events);
  // Since this store was made: appends that succeeded, by where they wrote
  // their search rows, and attempts that found the log's size other than
  // they expected (and were made again).
  struct AppendCounts {
    uint64_t search_rows_before_lock = 0;
    uint64_t search_rows_under_lock = 0;
    uint64_t expected_wrongly = 0;
  };
  AppendCounts append_counts() const;
  absl::StatusOr<uint64_t> Size(const std::string& log_id);
  // The ids of every log that has entries.
  absl::StatusOr<std::vector<std::string>> Logs();

  // The root hash of the first `tree_size` entries.
  absl::StatusOr<std::string> Root(const std::string& log_id, uint64_t tree_size);
  absl::StatusOr<InclusionPath> InclusionProof(const std::string& log_id, uint64_t index,
                                               uint64_t tree_size);
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(const std::string& log_id,
                                                            uint64_t old_size, uint64_t new_size);

  // Up to `limit` entries from index `from` on, in index order, ending
  // before the entry that would take their bytes past `max_bytes` (the first
  // entry is always in).
  absl::StatusOr<std::vector<StoredEntry>> Entries(const std::string& log_id, uint64_t from,
                                                   int limit, int64_t max_bytes);
  // Writes the log as JSON Lines (log_export.h), in index order.
  absl::Status Export(const std::string& log_id, std::ostream& out);

  absl::StatusOr<std::vector<StoredEntry>> Query(const EventQuery& query, absl::Time deadline);

  absl::Status SaveTreeHead(const std::string& log_id, const TreeHead& head);
  absl::StatusOr<std::optional<TreeHead>> LatestTreeHead(const std::string& log_id);

  // Restrictions change with their audit record in the same transaction:
  // InsertRestriction in the caller's, AddRestriction in one of its own.
  // `restriction` carries its new id.
  absl::StatusOr<v1::Restriction> InsertRestriction(db::Transaction& tx, const std::string& tenant,
                                                    const v1::Restriction& restriction);
  absl::StatusOr<v1::Restriction> AddRestriction(const std::string& tenant,
                                                 const v1::Restriction& restriction,
                                                 AuditRecord& audit);
  // NOT_FOUND if the tenant has no such restriction; FAILED_PRECONDITION if
  // it was lifted already.
  absl::StatusOr<v1::Restriction> LiftRestriction(const std::string& tenant,
                                                  const std::string& restriction_id,
                                                  const std::string& lifted_by, AuditRecord& audit);
  // Newest first (created_at, then restriction_id, descending), at most
  // `limit`, after `after` (the previous page's last; nullopt for the first).
  absl::StatusOr<std::vector<v1::Restriction>> Restrictions(
      const std::string& tenant, const std::optional<std::pair<absl::Time, std::string>>& after, int limit);

 private:
  db::Pool* pool_;
  AppendOrder order_;
  struct {
    std::atomic<uint64_t> search_rows_before_lock = 0;
    std::atomic<uint64_t> search_rows_under_lock = 0;
    std::atomic<uint64_t> expected_wrongly = 0;
  } counts_;
};

}  // namespace hartslag::audit

#endif  // HARTSLAG_SERVICES_AUDIT_AUDIT_STORE_H_
