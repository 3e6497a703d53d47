// The rules of a case that need no database: its lifecycle, review cadence,
// default confidentiality, agenda reasons, and how addresses and persons are
// matched. Who may see what is case_access.h's. Pure functions; thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_RULES_H_
#define HARTSLAG_SERVICES_CASES_CASE_RULES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/common/auth.h"
#include "services/common/tenant_settings.h"

namespace hartslag::cases {

// True if TransitionCase may move a case from `from` to `to` (the table in
// cases.proto). Leaving CLOSED is ReopenCase's alone.
bool IsLegalTransition(v1::CaseStatus from, v1::CaseStatus to);

// True if a step from `from` to `to` closes a case or reopens it: a case is
// open from its opening until it is CLOSED, and again once it is reopened.
bool ClosesOrReopens(v1::CaseStatus from, v1::CaseStatus to);

// How often a case of this risk tier is reviewed (HIGH 2, MEDIUM 4, LOW 8
// weeks); zero for no tier.
absl::Duration ReviewCadence(v1::RiskTier tier);

// ZAAKVERTROUWELIJK for LEEFBAARHEID, VERTROUWELIJK for CASUISTIEK.
v1::Confidentiality DefaultConfidentiality(v1::CaseKind kind);

// The most signals a case holds: what intake takes in one case state
// (intake.proto, CaseState.signal_ids), from which it learns whether the
// case keeps those signals whole, and what Case.signal_ids declares.
inline constexpr int kMaxSignalsPerCase = 1000;

// Links `signal_id` to `c`; FAILED_PRECONDITION naming case_id when the case
// holds kMaxSignalsPerCase signals already.
absl::Status LinkSignal(v1::Case& c, const std::string& signal_id);

// An action's legal moves: OPEN -> IN_PROGRESS, DONE, CANCELLED;
// IN_PROGRESS -> DONE, CANCELLED. DONE and CANCELLED are final.
bool IsLegalActionMove(v1::ActionStatus from, v1::ActionStatus to);

// Past its due date (before `today`) and not DONE or CANCELLED.
bool IsOverdue(const v1::Action& action, absl::CivilDay today);

// Why `c` belongs on the agenda of a meeting at `meeting_time`, given its
// actions; empty if it does not. Closed cases never do.
std::vector<v1::AgendaReason> AgendaReasons(const v1::Case& c, const std::vector<v1::Action>& actions,
                                            absl::Time meeting_time, absl::TimeZone zone);

// The key that finds cases and signals at the same address: postcode,
// house number and addition, without spaces, upper case.
std::string AddressKey(const common::v1::Address& address);

// Whether two mentions name the same person: the same name (case and
// spacing aside) and, where both give one, the same year of birth.
bool SamePerson(absl::string_view name_a, int year_a, absl::string_view name_b, int year_b);
// What the store indexes a person by: equal for names SamePerson may match
// (the year of birth is compared afterwards), and not the name itself. ""
// for a name SamePerson never matches.
std::string PersonKey(absl::string_view name);

// When the municipality closes each week's triage: an ISO weekday (1 is
// Monday) and a time of day, in its time zone (TenantSettings).
struct CutOff {
  int weekday = 1;
  int hour = 12;
  int minute = 0;
};

// The tenant's cut-off (its settings, defaults filled in). A malformed time
// (the directory refuses one) keeps 12:00.
CutOff CutOffOf(const TenantSettings& settings);

// The most recent weekly cut-off at or before `now` (default: Monday 12:00)
// in `zone`. Signals reported before it are weighed for this week's
// meetings.
absl::Time WeeklyCutOff(absl::Time now, absl::TimeZone zone, CutOff cut_off = {});

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_RULES_H_
