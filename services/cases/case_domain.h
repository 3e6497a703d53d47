// What the four sub-domains of the cases service (triage.h,
// case_lifecycle.h, actions.h, meetings.h) share: the stores they compose
// inside one audited transaction, and the checks and builders of case
// fields more than one of them needs. No gRPC and no SQL here.
#ifndef HARTSLAG_SERVICES_CASES_CASE_DOMAIN_H_
#define HARTSLAG_SERVICES_CASES_CASE_DOMAIN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/cases/action_store.h"
#include "services/cases/case_access.h"
#include "services/cases/case_store.h"
#include "services/cases/meeting_store.h"
#include "services/cases/triage_store.h"
#include "services/common/area_sync.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/exactly_once.h"
#include "services/common/outbox.h"

namespace hartslag::cases {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 200;

// The outbox targets of what intake learns from cases: triage outcomes
// (TriageFeedService.RecordTriageOutcomes) and whether cases are open
// (RecordCaseStates). Each has its own relay, so that one kind of event
// waiting never holds up the other.
inline constexpr char kIntakeTarget[] = "intake";
inline constexpr char kIntakeCaseStatesTarget[] = "intake-case-states";

// The database of the cases service, its stores and its outbox. The pool is
// shared; the stores are stateless.
struct CasesData {
  db::Pool* pool = nullptr;
  CaseStore cases;
  TriageStore triage;
  ActionStore actions;
  MeetingStore meetings;
  AreaCopy areas{kSchema};
  ExactlyOnce once{kSchema};
  Outbox outbox{kSchema};

  explicit CasesData(db::Pool* p) : pool(p) {}
  // The caller's coordinator scope (case_access.h).
  absl::StatusOr<CoordinatorScope> ScopeOf(const RequestContext& caller) const {
    return CoordinatorScopeOf(caller, *pool, areas);
  }
  // Runs `work` in a transaction bounded by the caller's deadline: reads,
  // and keeping copies of other services' data.
  absl::Status Transact(const RequestContext& caller,
                        const std::function<absl::Status(db::Transaction&)>& work) const {
    return pool->InTransaction(work, Bounded(caller.deadline));
  }
  // Runs `change` with the call's audit record in one transaction bounded by
  // the caller's deadline: every change of the domain.
  absl::Status TransactAudited(const RequestContext& caller, AuditRecord& audit,
                               const std::function<absl::Status(db::Transaction&)>& change) const {
    return InAuditedTransaction(*pool, audit, change, Bounded(caller.deadline));
  }
  // The tenant's time zone (its settings, as the directory handed them
  // over): meetings, action due dates, reviews and the triage cut-off are in
  // its local time. FAILED_PRECONDITION for a zone this machine cannot load.
  absl::StatusOr<absl::TimeZone> ZoneOf(db::Transaction& tx, const std::string& tenant) const;
  // The caller's tenant's, read in a transaction of its own.
  absl::StatusOr<absl::TimeZone> ZoneOf(const RequestContext& caller) const;
};

// OK when the caller may see case `case_id` (whose persons and address the
// audit record then names); NOT_FOUND, audited as a refusal, otherwise.
absl::Status RequireVisibleCase(const CasesData& data, const RequestContext& caller, const std::string& case_id,
                                AuditRecord& audit);

// The purposes for which case content may be read (x-hartslag-purpose).
bool IsCasePurpose(absl::string_view purpose);
// INVALID_ARGUMENT naming x-hartslag-purpose unless the caller states one.
absl::Status RequirePurpose(const RequestContext& caller);

// The address and persons a case is about, for the audit record.
void AddSubjects(const v1::Case& c, AuditRecord& audit);

// Up to 30 ids, each checked (CheckId), named `field[i]`.
absl::Status CheckIds(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& ids);
// A reason comes with a tier, and only with one: a reason alone would be
// stored unchecked.
absl::Status CheckRisk(v1::RiskTier tier, std::string& reason);
// Sets the tier and its reason, and the next review by the tier's cadence.
void ApplyRisk(v1::Case& c, v1::RiskTier tier, const std::string& reason);

// A case as a list shows it.
v1::CaseListItem ListItem(const v1::Case& c);

// Whom a signal's data is about, for the record of a call that touched it:
// its address and persons.
void AddSignalSubjects(const intake::v1::Signal& signal, AuditRecord& audit);

// Tells intake, through the outbox in `tx`, whether `c` (just stored) is
// open, as of its updated_at: intake keeps the signals of an open case whole
// (retention). Written in the transaction that opens, closes or reopens the
// case, so that intake hears of exactly the changes that committed.
absl::Status RecordCaseState(const CasesData& data, db::Transaction& tx, const std::string& tenant,
                             const v1::Case& c);

// The date now in `zone`: with the tenant's zone (CasesData::ZoneOf), the
// tenant's today, by which due dates are checked and actions are overdue.
absl::CivilDay Today(absl::TimeZone zone);

// Checks a requested action (its fields named under `prefix`; a due date
// before `today`, the tenant's, is refused) and builds it, OPEN, for
// `case_id`.
absl::StatusOr<v1::Action> NewAction(const RequestContext& caller, v1::CreateActionRequest& request,
                                     const std::string& prefix, const std::string& case_id, absl::CivilDay today);
// An organisation with an action on a case takes part in it.
void JoinCase(v1::Case& c, const v1::Action& action);
// The action with its overdue flag as of `today`, the tenant's.
v1::Action WithOverdue(v1::Action a, absl::CivilDay today);

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_DOMAIN_H_
