// CaseStore: the SQL of cases, their status history, notes and
// break-the-glass records. Every operation runs inside the caller's
// transaction (the sub-domain composes them with the other stores and the
// audit record in one); none decides anything. Stateless and thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_STORE_H_
#define HARTSLAG_SERVICES_CASES_CASE_STORE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/cases/case_access.h"
#include "services/cases/case_rules.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/migrations.h"
#include "services/common/tenant_settings.h"

namespace hartslag {
// The cases service's schema, compiled in from migrations/.
std::vector<db::Migration> CasesMigrations();
}  // namespace hartslag

namespace hartslag::cases {

inline constexpr char kSchema[] = "cases";

// A lifecycle step to record with a change.
struct StatusStep {
  v1::CaseStatus from = v1::CASE_STATUS_UNSPECIFIED;
  v1::CaseStatus to = v1::CASE_STATUS_UNSPECIFIED;
  std::string reason;
};

// A position in a list ordered by time and id.
using TimeId = std::pair<absl::Time, std::string>;

// Which cases to list: those `filter` lets its caller see, of the rest
// optional.
struct CaseQuery {
  std::string tenant;
  CaseFilter filter;
  std::optional<v1::CaseKind> kind;
  std::optional<v1::CaseStatus> status;
  std::optional<std::vector<std::string>> areas;
  std::optional<TimeId> after;  // keyset position: updated_at, case_id
  std::optional<v1::RiskTier> risk_tier;
  std::optional<absl::Time> review_due_at;     // open, next review at or before this
  std::optional<absl::CivilDay> overdue_before;  // an open action due before this day
  int limit = 50;
};

class CaseStore {
 public:
  // Takes over the tenant's settings from the directory (the defaults for
  // what it left unset): time zone, case reference prefix, triage cut-off
  // and the retention periods of closed cases.
  absl::Status StoreTenantSettings(db::Transaction& tx, const std::string& tenant,
                                   const TenantSettings& settings) const;
  // The settings of the tenant that the cases service keeps (those above),
  // the defaults for what the directory has not handed over yet. The other
  // fields hold their defaults, not the tenant's.
  absl::StatusOr<TenantSettings> SettingsOf(db::Transaction& tx, const std::string& tenant) const;
  // The same for every tenant the service knows, by tenant id.
  absl::StatusOr<std::vector<std::pair<std::string, TenantSettings>>> AllSettings(db::Transaction& tx) const;
  // Stores `c` as a new case, completing it (id, reference, area name,
  // status REGISTERED, times), with its first status step. INVALID_ARGUMENT
  // naming area_id for an area the tenant does not have.
  absl::Status Insert(db::Transaction& tx, const RequestContext& caller, v1::Case& c) const;
  // By id or by reference.
  absl::StatusOr<std::optional<v1::Case>> Find(db::Transaction& tx, const std::string& tenant,
                                               const std::string& case_id, const std::string& reference) const;
  // The tenant's cases among `case_ids`, by id.
  absl::StatusOr<std::map<std::string, v1::Case>> FindMany(db::Transaction& tx, const std::string& tenant,
                                                           const std::vector<std::string>& case_ids) const;
  // Locks the case for the rest of the transaction.
  absl::StatusOr<std::optional<v1::Case>> Lock(db::Transaction& tx, const std::string& tenant,
                                               const std::string& case_id) const;
  // Stores a locked case (its updated_at set here) and `step`, if any.
  absl::Status Save(db::Transaction& tx, const RequestContext& caller, v1::Case& c,
                    const std::optional<StatusStep>& step = std::nullopt) const;

  // One page of cases, most recently changed first.
  absl::StatusOr<std::vector<v1::Case>> List(db::Transaction& tx, const CaseQuery& query) const;
  // The newest `limit` changes, oldest first, and how many there are in all.
  absl::StatusOr<std::pair<std::vector<v1::StatusChange>, int>> History(db::Transaction& tx,
                                                                        const std::string& tenant,
                                                                        const std::string& case_id, int limit) const;
  // Cases not CLOSED at these addresses (case_rules.h AddressKey): the
  // `per_address` most recently changed of each address.
  absl::StatusOr<std::vector<v1::Case>> OpenCasesAt(db::Transaction& tx, const std::string& tenant,
                                                    const std::vector<std::string>& address_keys,
                                                    int per_address) const;
  // Cases of `kind` not CLOSED in `areas` with a person of `person_keys`
  // (case_rules.h PersonKey): per key the `per_person` most recently
  // changed, at most `limit` in all.
  absl::StatusOr<std::vector<v1::Case>> OpenCasesAbout(db::Transaction& tx, const std::string& tenant,
                                                       v1::CaseKind kind, const std::vector<std::string>& areas,
                                                       const std::vector<std::string>& person_keys, int per_person,
                                                       int limit) const;
  // The cases not CLOSED of a kind in some areas.
  absl::StatusOr<std::vector<v1::Case>> OpenCasesIn(db::Transaction& tx, const std::string& tenant,
                                                    v1::CaseKind kind, const std::vector<std::string>& areas) const;
  // Of `case_ids`, those with an OPEN or IN_PROGRESS action due before
  // `today`.
  absl::StatusOr<std::set<std::string>> WithOverdueActions(db::Transaction& tx, const std::string& tenant,
                                                           const std::vector<std::string>& case_ids,
                                                           absl::CivilDay today) const;
  // Gives the cases stored before person keys (and the risk columns)
  // existed theirs; how many.
  absl::StatusOr<int> FillPersonKeys(db::Pool& pool) const;

  // Stores `note` (id, author and time set here) on the case.
  absl::Status InsertNote(db::Transaction& tx, const RequestContext& caller, const std::string& case_id,
                          v1::Note& note) const;
  // At most `limit` notes with one of `visibilities`, newest first, after
  // `after` (written_at, note_id) if given.
  absl::StatusOr<std::vector<v1::Note>> Notes(db::Transaction& tx, const std::string& tenant,
                                              const std::string& case_id,
                                              const std::vector<v1::NoteVisibility>& visibilities,
                                              const std::optional<TimeId>& after, int limit) const;

  absl::Status InsertBreakGlass(db::Transaction& tx, const RequestContext& caller, const std::string& case_id,
                                const std::string& reason) const;
  // At most `limit`, newest first, after `after` (at, review_id) if given;
  // with `open_only`, only those not yet completed.
  absl::StatusOr<std::vector<v1::BreakGlassReview>> BreakGlassReviews(db::Transaction& tx,
                                                                      const std::string& tenant,
                                                                      const std::optional<TimeId>& after,
                                                                      int limit, bool open_only) const;
  // The review, locked until the transaction ends; nullopt if the tenant has
  // none with that id.
  absl::StatusOr<std::optional<v1::BreakGlassReview>> LockBreakGlassReview(db::Transaction& tx,
                                                                           const std::string& tenant,
                                                                           const std::string& review_id) const;
  // Stores the completion fields of `review` (finding, judgement,
  // completed_by) with `completed_at`.
  absl::Status CompleteBreakGlassReview(db::Transaction& tx, const std::string& tenant,
                                        const v1::BreakGlassReview& review, absl::Time completed_at) const;

  // Retention: the tenant's closed cases of `kind`, closed before
  // `closed_before`, whose personal data is still there, by id, oldest
  // first.
  absl::StatusOr<std::vector<std::string>> DueForRemoval(db::Transaction& tx, const std::string& tenant,
                                                         v1::CaseKind kind, absl::Time closed_before,
                                                         int limit) const;
  // Locks the case if it is closed and its personal data is still there.
  absl::StatusOr<std::optional<v1::Case>> LockClosedWithPersonalData(db::Transaction& tx, const std::string& tenant,
                                                                     const std::string& case_id) const;
  // Stores the cleared case, marks it cleared, replaces its status steps'
  // reasons by `removed` and deletes its notes.
  absl::Status StoreCleared(db::Transaction& tx, const std::string& tenant, const v1::Case& c,
                            const std::string& removed) const;
};

// The options of a transaction bounded by a request's deadline.
db::TransactionOptions Bounded(absl::Time deadline);

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_STORE_H_
