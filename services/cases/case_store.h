// CaseStore: the only place with the cases service's SQL. A case is stored
// as its protobuf with the columns need-to-know and lists are decided on
// beside it; every change runs under the case's row lock and writes its
// status history and the call's audit record in the same transaction.
// Thread-safe (the pool is).
#ifndef HARTSLAG_SERVICES_CASES_CASE_STORE_H_
#define HARTSLAG_SERVICES_CASES_CASE_STORE_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/area_sync.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/migrations.h"
#include "services/common/outbox.h"

namespace hartslag {
// The cases service's schema, compiled in from migrations/.
std::vector<db::Migration> CasesMigrations();
}  // namespace hartslag

namespace hartslag::cases {

inline constexpr char kSchema[] = "cases";
// The outbox target of triage outcomes for intake.
inline constexpr char kIntakeTarget[] = "intake";

// A lifecycle step to record with a change.
struct StatusStep {
  v1::CaseStatus from = v1::CASE_STATUS_UNSPECIFIED;
  v1::CaseStatus to = v1::CASE_STATUS_UNSPECIFIED;
  std::string reason;
};

// Which cases to list; the scope fields are the caller's need-to-know, the
// same rule as MaySeeCase (case_rules.h), applied in SQL.
struct CaseQuery {
  std::string tenant;
  std::string user;
  std::string organisation;
  bool partner = false;
  bool coordinator = false;
  std::vector<std::string> coordinator_scope;
  std::optional<v1::CaseKind> kind;
  std::optional<v1::CaseStatus> status;
  std::optional<std::vector<std::string>> areas;
  std::optional<std::pair<absl::Time, std::string>> after;  // keyset position
  int limit = 50;
};

// Which actions to list.
struct ActionQuery {
  std::string tenant;
  std::optional<std::string> organisation;           // given to this organisation
  std::optional<std::vector<std::string>> case_ids;  // of these cases
  std::optional<std::vector<v1::ActionStatus>> statuses;
  std::optional<absl::CivilDay> due_before;
  std::optional<std::pair<std::string, std::string>> after;  // keyset position: due date, id
  std::optional<int> limit;  // none: all (only for the service's own use, never a caller's)
};

class CaseStore {
 public:
  // `outbox` is the service's outbox (for triage outcomes to intake).
  CaseStore(db::Pool* pool, const Outbox* outbox) : pool_(pool), outbox_(outbox) {}

  // Sets up or updates a tenant with its areas (parents before children).
  absl::Status CreateTenant(const std::string& tenant, const std::string& name,
                            const std::vector<AreaRow>& areas);
  // `roots` and every area below them; unknown roots are left out.
  absl::StatusOr<std::set<std::string>> AreasWithin(const std::string& tenant,
                                                    const std::vector<std::string>& roots,
                                                    absl::Time deadline);

  // Stores a new case (its id, reference, area name and times are set
  // here) with its first status step. A retry with the same request id
  // returns the stored case; ALREADY_EXISTS if the content differs;
  // INVALID_ARGUMENT naming area_id for an unknown area.
  absl::StatusOr<v1::Case> Open(const RequestContext& caller, v1::Case c,
                                const std::string& request_id, const std::string& fingerprint,
                                AuditRecord& audit);

  // The tenant's cases among `case_ids`, by id.
  absl::StatusOr<std::map<std::string, v1::Case>> FindCases(const std::string& tenant,
                                                            const std::vector<std::string>& case_ids,
                                                            absl::Time deadline);

  absl::StatusOr<std::optional<v1::Case>> Find(const std::string& tenant, const std::string& case_id,
                                               const std::string& reference, absl::Time deadline);

  // Locks the case, lets `change` edit it (returning the lifecycle step to
  // record, if any, or an error that rolls everything back), and stores it.
  // NOT_FOUND if the tenant has no such case.
  using Change = std::function<absl::StatusOr<std::optional<StatusStep>>(v1::Case&)>;
  absl::StatusOr<v1::Case> Modify(const RequestContext& caller, const std::string& case_id,
                                  const Change& change, AuditRecord& audit);

  // One page of cases, most recently changed first.
  absl::StatusOr<std::vector<v1::Case>> List(const CaseQuery& query, absl::Time deadline);
  // The newest `limit` changes, oldest first, and how many there are in all.
  absl::StatusOr<std::pair<std::vector<v1::StatusChange>, int>> History(const std::string& tenant,
                                                                        const std::string& case_id, int limit,
                                                                        absl::Time deadline);

  absl::StatusOr<v1::Note> AddNote(const RequestContext& caller, const std::string& case_id,
                                   v1::NoteVisibility visibility, const std::string& text,
                                   AuditRecord& audit);
  // At most `limit` notes with one of `visibilities`, newest first, after
  // `after` (written_at, note_id) if given.
  absl::StatusOr<std::vector<v1::Note>> Notes(const std::string& tenant, const std::string& case_id,
                                              const std::vector<v1::NoteVisibility>& visibilities,
                                              const std::optional<std::pair<absl::Time, std::string>>& after,
                                              int limit, absl::Time deadline);

  // The signals a coordinator's triage queue showed, kept so that a
  // decision can be taken and recorded while intake is away.
  absl::Status SaveQueueSignals(const std::string& tenant, const std::vector<intake::v1::Signal>& signals);
  absl::StatusOr<std::optional<intake::v1::Signal>> QueueSignal(const std::string& tenant,
                                                                const std::string& signal_id,
                                                                absl::Time deadline);
  // Which of `signal_ids` have been weighed.
  absl::StatusOr<std::set<std::string>> Decided(const std::string& tenant,
                                                const std::vector<std::string>& signal_ids,
                                                absl::Time deadline);
  // Signals a triage queue showed (untriaged then, perhaps weighed since)
  // at these addresses, reported since `since`: the latest `per_address` of
  // each address.
  absl::StatusOr<std::vector<intake::v1::Signal>> QueueSignalsAt(const std::string& tenant,
                                                                 const std::vector<std::string>& address_keys,
                                                                 absl::Time since, int per_address,
                                                                 absl::Time deadline);
  // Cases not CLOSED at these addresses (case_rules.h AddressKey): the
  // `per_address` most recently changed of each address.
  absl::StatusOr<std::vector<v1::Case>> OpenCasesAt(const std::string& tenant,
                                                    const std::vector<std::string>& address_keys,
                                                    int per_address, absl::Time deadline);
  // Cases of `kind` not CLOSED in `areas` with a person of `person_keys`
  // (case_rules.h PersonKey): per key the `per_person` most recently
  // changed, at most `limit` in all.
  absl::StatusOr<std::vector<v1::Case>> OpenCasesAbout(const std::string& tenant, v1::CaseKind kind,
                                                       const std::vector<std::string>& areas,
                                                       const std::vector<std::string>& person_keys, int per_person,
                                                       int limit, absl::Time deadline);
  // Gives the cases stored before person keys existed theirs; how many.
  absl::StatusOr<int> FillPersonKeys();

  // Where a weighed signal goes: a new case, or an existing one changed by
  // `link` (under its row lock), or neither.
  struct TriageCase {
    std::optional<v1::Case> new_case;
    std::string link_case_id;
    Change link;
  };
  // Records `decision` (its case id is filled in), the case it opens or
  // links, and the outcome for intake in the outbox, with the audit record,
  // in one transaction. FAILED_PRECONDITION if the signal was weighed before.
  absl::StatusOr<v1::TriageDecision> Triage(const RequestContext& caller, v1::TriageDecision decision,
                                            const TriageCase& into, const OutboxEvent& outcome,
                                            AuditRecord& audit);

  // Stores a new action and, under the case's row lock, lets `on_case`
  // check and change the case (its participants) first.
  // Exactly once per (caller, request_id): a retry returns the action made
  // first; the same id with another `fingerprint` is ALREADY_EXISTS.
  absl::StatusOr<v1::Action> CreateAction(const RequestContext& caller, v1::Action action,
                                          const std::string& request_id, const std::string& fingerprint,
                                          const Change& on_case, AuditRecord& audit);
  // Soonest due first (then by id).
  absl::StatusOr<std::vector<v1::Action>> Actions(const ActionQuery& query, absl::Time deadline);
  // Locks the action, lets `change` edit it given its case, and stores it.
  using ActionChange = std::function<absl::Status(v1::Action&, const v1::Case&)>;
  absl::StatusOr<v1::Action> ModifyAction(const RequestContext& caller, const std::string& action_id,
                                          const ActionChange& change, AuditRecord& audit);

  // The feed of action changes (0006_action_feed.sql): its last number.
  absl::StatusOr<int64_t> ActionFeedHead(const std::string& tenant, absl::Time deadline);
  // A number that moves whenever any tenant's feed does (Doorbell::Probe).
  absl::StatusOr<int64_t> ActionFeedVersion();
  // Records, in the transaction that read it, that a page of events (about
  // actions on `cases`, one for each event) is delivered.
  using RecordDelivery = std::function<absl::Status(db::Transaction&, const std::vector<v1::ActionEvent>& events,
                                                    const std::vector<v1::Case>& cases)>;
  // Up to `limit` changes after number `after` of actions given to
  // `organisation`, in order, recorded as one page by `record`; `scanned_through`
  // is the number up to which the feed has been read (the next read starts
  // after it, so other organisations' changes are not read again).
  absl::StatusOr<std::vector<v1::ActionEvent>> ActionChanges(const std::string& tenant, const std::string& organisation,
                                                             int64_t after, int limit, const RecordDelivery& record,
                                                             int64_t* scanned_through, absl::Time deadline);

  // Meetings.
  // Stores new meetings, with their area's name filled in; INVALID_ARGUMENT
  // naming area_id for an unknown area.
  absl::Status InsertMeetings(const RequestContext& caller, std::vector<v1::Meeting>& meetings,
                              AuditRecord& audit);
  absl::StatusOr<std::optional<v1::Meeting>> FindMeeting(const std::string& tenant, const std::string& meeting_id,
                                                         absl::Time deadline);
  // At most `limit` meetings starting in [from, to), soonest first (then by
  // id), after `after` (starts_at, meeting_id) if given.
  absl::StatusOr<std::vector<v1::Meeting>> MeetingsBetween(const std::string& tenant, absl::Time from, absl::Time to,
                                                           std::optional<v1::CaseKind> kind,
                                                           const std::optional<std::pair<absl::Time, std::string>>& after,
                                                           int limit, absl::Time deadline);
  // Locks the meeting, lets `change` edit it, stores it; with `case_id`,
  // also changes that case by `on_case` and gives it `new_actions`, in the
  // same transaction.
  using MeetingChange = std::function<absl::Status(v1::Meeting&)>;
  absl::StatusOr<v1::Meeting> ModifyMeeting(const RequestContext& caller, const std::string& meeting_id,
                                            const MeetingChange& change, const std::string& case_id,
                                            const Change& on_case, std::vector<v1::Action> new_actions,
                                            AuditRecord& audit);
  // The cases not CLOSED of a kind in some areas.
  absl::StatusOr<std::vector<v1::Case>> OpenCasesIn(const std::string& tenant, v1::CaseKind kind,
                                                    const std::vector<std::string>& areas, absl::Time deadline);

  // Retention: closed cases of `kind`, closed before `closed_before`, whose
  // personal data is still there, as (tenant, case id), oldest first.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> DueForRemoval(v1::CaseKind kind,
                                                                                absl::Time closed_before, int limit);
  // Under the case's row lock, if it is still closed and not cleared yet:
  // shows it to `before` (which fills the audit record), then removes its
  // personal data (retention.h) from the case, its status steps' reasons,
  // its notes, its actions and their stream snapshots, its agenda items,
  // its triage decisions and the cached signals, and marks it cleared, with
  // the audit record, in one transaction. False if there was nothing to do.
  absl::StatusOr<bool> RemovePersonalData(const std::string& tenant, const std::string& case_id,
                                          const std::function<void(const v1::Case&)>& before, AuditRecord& audit);

  absl::Status RecordBreakGlass(const RequestContext& caller, const std::string& case_id,
                                const std::string& reason, AuditRecord& audit);
  // At most `limit`, newest first, after `after` (at, review_id) if given.
  absl::StatusOr<std::vector<v1::BreakGlassReview>> BreakGlassReviews(
      const std::string& tenant, const std::optional<std::pair<absl::Time, std::string>>& after, int limit,
      absl::Time deadline);

 private:
  db::Pool* pool_;
  const Outbox* outbox_;
  const AreaCopy areas_{kSchema};
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_STORE_H_
