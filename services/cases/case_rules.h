// The rules of a case that need no database: its lifecycle, review cadence,
// default confidentiality, and who may see a case and which of its notes.
// Pure functions; thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_RULES_H_
#define HARTSLAG_SERVICES_CASES_CASE_RULES_H_

#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/common/auth.h"

namespace hartslag::cases {

// True if TransitionCase may move a case from `from` to `to` (the table in
// cases.proto). Leaving CLOSED is ReopenCase's alone.
bool IsLegalTransition(v1::CaseStatus from, v1::CaseStatus to);

// How often a case of this risk tier is reviewed (HIGH 2, MEDIUM 4, LOW 8
// weeks); zero for no tier.
absl::Duration ReviewCadence(v1::RiskTier tier);

// ZAAKVERTROUWELIJK for LEEFBAARHEID, VERTROUWELIJK for CASUISTIEK.
v1::Confidentiality DefaultConfidentiality(v1::CaseKind kind);

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

// The most recent weekly cut-off at or before `now`: Monday 12:00 in `zone`.
// Signals reported before it are weighed for this week's meetings.
absl::Time WeeklyCutOff(absl::Time now, absl::TimeZone zone);

// The caller is the case's process coordinator, case manager or a member.
bool HasRoleOnCase(const RequestContext& caller, const v1::Case& c);

// Need-to-know: whether `caller` may read case `c`. `coordinator_scope` is
// the caller's coordinator areas with every area below them.
//   - the people with a role on the case always (from GEHEIM up: only they);
//   - partners of a participating organisation;
//   - coordinators of the case's area: up to INTERN all of them, from
//     ZAAKVERTROUWELIJK up those of a participating organisation.
bool MaySeeCase(const RequestContext& caller, const std::set<std::string>& coordinator_scope,
                const v1::Case& c);

// Break-the-glass is for coordinators of the case's area only.
bool MayBreakGlass(const RequestContext& caller, const std::set<std::string>& coordinator_scope,
                   const v1::Case& c);

// Whether a reader who may see the case may read a note of `visibility`:
// coordinators read every note; partners PARTICIPANTS notes and those of
// their own kind (CARE for care, POLICE for police), never COORDINATION.
bool MayReadNote(const RequestContext& reader, v1::NoteVisibility visibility);
// Partners write PARTICIPANTS notes or notes of their own kind.
bool MayWriteNote(const RequestContext& author, v1::NoteVisibility visibility);

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_RULES_H_
