// SignalStore: the only place with intake's SQL. Every method is scoped to
// one tenant and runs in its own transaction, bounded by the caller's
// deadline. Thread-safe (the pool is).
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_STORE_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_STORE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/area_sync.h"
#include "services/common/tenant_settings.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/migrations.h"
#include "services/common/working_days.h"

namespace hartslag {
// intake's schema, compiled in from migrations/ (cmake/embed_migrations.cmake).
std::vector<db::Migration> IntakeMigrations();
}  // namespace hartslag

namespace hartslag::intake {

// The PostgreSQL schema intake owns.
inline constexpr char kSchema[] = "intake";

// A signal's persons as stored (the jsonb column intake.signals.persons).
// Reads whatever the column holds without failing: what is not a person
// object, a text or a year is left out.
std::vector<v1::Person> PersonsFromJson(absl::string_view json);

// The refusal of a submission whose category the tenant does not have
// active, wherever it is found out.
absl::Status UnknownCategory();

// A validated, normalised submission.
struct Submission {
  v1::SubmitSignalRequest request;
  std::string fingerprint;  // identifies the content, to tell a retry from a reuse of request_id
  absl::Time reported_at;
  int category_version = 0;  // whose questions the answers were checked against
};

struct SubmitResult {
  v1::Signal signal;
  bool replayed = false;
};

// What a submission is checked against and stored with, besides its
// category: the tenant's reference prefix, time zone and closing days, and
// its areas. Read once and shared (reference_cache.h).
struct TenantReference {
  std::string reference_prefix;
  std::string time_zone_name;
  absl::TimeZone time_zone;
  std::string settings_json;  // as stored, so that a batch can tell they are still the same
  WorkingDays working_days;
  std::set<std::string> area_ids;
  std::vector<v1::Category> active_categories;    // as CategoryStore::List gives them
};

// One submission in a group commit (SignalIntake's, group_commit.h), with the tenant data
// it was checked against. The pointers outlive the batch.
struct BatchedSubmission {
  const RequestContext* caller = nullptr;
  const Submission* submission = nullptr;
  const TenantReference* tenant = nullptr;
  const v1::Category* category = nullptr;
  // The call's record: SubmitBatch completes it and writes it with the
  // signal, and leaves it as it was when it leaves the signal out.
  AuditRecord* audit = nullptr;
};

// What to list; the scope fields are the caller's need-to-know.
struct SignalQuery {
  std::string tenant;
  std::optional<std::string> reporter_organisation;  // signals of this organisation...
  std::vector<std::string> coordinator_areas;        // ...or in these areas
  std::optional<std::vector<std::string>> areas;     // filter: only these areas
  std::optional<std::string> category;
  std::optional<std::string> status;
  std::optional<absl::Time> reported_from;  // inclusive
  std::optional<absl::Time> reported_to;    // exclusive
  // Keyset position: only signals strictly after (older than) this one.
  std::optional<std::pair<absl::Time, std::string>> after;
  int limit = 50;
  bool overdue_only = false;  // still waiting after due_at
  bool late_only = false;     // still waiting after late_at
};

class SignalStore {
 public:
  explicit SignalStore(db::Pool* pool) : pool_(pool) {}

  // Stores a new signal, or returns the stored one for a retry, with the
  // call's audit record in the same transaction. ALREADY_EXISTS
  // when the request id was used for different content; INVALID_ARGUMENT
  // naming area_id or category_id when they are unknown to the tenant.
  absl::StatusOr<SubmitResult> Submit(const RequestContext& caller, const Submission& submission,
                                      AuditRecord& audit);

  // Stores several new signals in one transaction and one round trip, each
  // with its audit record, and returns each stored signal in order, or
  // nullopt for one the batch did not store: its request id was used before,
  // or its area or category (version) is no longer what the batch was given.
  // Those go through Submit, one by one, which decides them on fresh data.
  // The INSERT draws the reference numbers from the tenant's sequence for
  // the year, which holds no lock to the commit; a batch that fails leaves
  // its numbers unused.
  absl::StatusOr<std::vector<std::optional<v1::Signal>>> SubmitBatch(const std::vector<BatchedSubmission>& batch,
                                                                     absl::Time deadline);

  // The tenant's reference data without its categories, or nullopt when the
  // tenant is not set up for intake.
  absl::StatusOr<std::optional<TenantReference>> LoadTenantReference(const std::string& tenant, absl::Time deadline);

  // Whether the caller stored a signal under this request id before.
  absl::StatusOr<bool> Submitted(const RequestContext& caller, const std::string& request_id);

  // The signal with this id or reference in the tenant, or nullopt.
  absl::StatusOr<std::optional<v1::Signal>> FindById(const std::string& tenant,
                                                     const std::string& signal_id,
                                                     absl::Time deadline);
  absl::StatusOr<std::optional<v1::Signal>> FindByReference(const std::string& tenant,
                                                            const std::string& reference,
                                                            absl::Time deadline);

  // One page of signals, newest first.
  absl::StatusOr<std::vector<v1::Signal>> List(const SignalQuery& query, absl::Time deadline);

  // Signals still NEW in `areas`, oldest first, after the keyset position.
  absl::StatusOr<std::vector<v1::Signal>> ListUntriaged(
      const std::string& tenant, const std::vector<std::string>& areas,
      const std::optional<std::pair<absl::Time, std::string>>& after, int limit, absl::Time deadline);

  // Applies triage outcomes (status and feedback), each once by its event
  // id; returns how many changed a signal now.
  absl::StatusOr<int> ApplyTriageOutcomes(const std::vector<v1::TriageOutcome>& outcomes,
                                          absl::Time deadline);

  // Records case states (open or not), each once by its event id, unless a
  // later one is held; returns how many changed what intake holds.
  absl::StatusOr<int> ApplyCaseStates(const std::vector<v1::CaseState>& states, absl::Time deadline);

  // `roots` and every area below them; unknown roots are left out.
  absl::StatusOr<std::set<std::string>> AreasWithin(const std::string& tenant,
                                                    const std::vector<std::string>& roots,
                                                    absl::Time deadline);
  // The same areas with their parents and names, parents before children.
  absl::StatusOr<std::vector<AreaRow>> AreaTree(const std::string& tenant, const std::vector<std::string>& roots,
                                                absl::Time deadline);

  // Sets up or updates a tenant with its areas (parents before children) and
  // the starting category set. Idempotent; areas are never removed.
  absl::Status CreateTenant(const std::string& tenant, const std::string& name,
                            const std::vector<AreaRow>& areas);
  // Takes over the tenant's settings from the directory: its time zone,
  // reference prefix and closing days apply to signals submitted from now.
  absl::Status StoreTenantSettings(const std::string& tenant, const TenantSettings& settings);
  // Every tenant intake serves.
  absl::StatusOr<std::vector<std::string>> Tenants(absl::Time deadline);
  // Signals of `tenant` whose personal data is due for removal: reported
  // before `reported_before`, not on an open case (signal_retention.h).
  absl::StatusOr<std::vector<std::string>> DueForRetention(const std::string& tenant, absl::Time reported_before,
                                                           int limit, absl::Time deadline);
  // Removes the personal data of one due signal (its description becomes
  // `removed`) and its attachments' rows, with `audit` in the same
  // transaction; returns the removed attachments' storage keys, or nullopt
  // when the signal is no longer due.
  absl::StatusOr<std::optional<std::vector<std::string>>> RemovePersonalData(
      const std::string& tenant, const std::string& signal_id, absl::Time reported_before, absl::string_view removed,
      AuditRecord& audit, absl::Time deadline);

  // The tenant's settings as last taken over, with the defaults for what is
  // unset.
  absl::StatusOr<TenantSettings> TenantSettingsOf(const std::string& tenant, absl::Time deadline);

 private:
  db::Pool* pool_;
  const AreaCopy areas_{kSchema};
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_STORE_H_
