// Need-to-know in the cases service, in one place (as intake's
// signal_access.h): who may see a case, read or write a note, see or steer a
// meeting and its items, and work an action. The sub-domains (triage, case
// lifecycle, actions, meetings) ask these and nothing else; the list query
// applies the same rule in SQL through CaseFilter, and a database test checks
// that the two agree for every role, confidentiality and participation.
// Pure functions; thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_ACCESS_H_
#define HARTSLAG_SERVICES_CASES_CASE_ACCESS_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/common/area_sync.h"
#include "services/common/auth.h"
#include "services/common/db.h"

namespace hartslag::cases {

// The areas a caller coordinates, with every area below them; empty for a
// caller without the coordinator role.
using CoordinatorScope = std::set<std::string>;
absl::StatusOr<CoordinatorScope> CoordinatorScopeOf(const RequestContext& caller, db::Pool& pool,
                                                    const AreaCopy& areas);

// The caller is the case's process coordinator, case manager or a member.
bool HasRoleOnCase(const RequestContext& caller, const v1::Case& c);

// Whether `caller` may read case `c`:
//   - the people with a role on the case always (from GEHEIM up: only they);
//   - partners of a participating organisation;
//   - coordinators of the case's area: up to INTERN all of them, from
//     ZAAKVERTROUWELIJK up those of a participating organisation.
bool MaySeeCase(const RequestContext& caller, const CoordinatorScope& scope, const v1::Case& c);

// Break-the-glass is for coordinators of the case's area only.
bool MayBreakGlass(const RequestContext& caller, const CoordinatorScope& scope, const v1::Case& c);

// Whether a reader who may see the case may read a note of `visibility`:
// coordinators read every note; partners PARTICIPANTS notes and those of
// their own kind (CARE for care, POLICE for police), never COORDINATION.
bool MayReadNote(const RequestContext& reader, v1::NoteVisibility visibility);
// Partners write PARTICIPANTS notes or notes of their own kind.
bool MayWriteNote(const RequestContext& author, v1::NoteVisibility visibility);
// Every visibility `reader` may read.
std::vector<v1::NoteVisibility> ReadableNotes(const RequestContext& reader);

// A meeting is the business of the coordinators of its area (who steer it)
// and of partners of its participating organisations (who see it). Of its
// agenda, each sees only the items of cases it may see (MaySeeCase).
bool MaySteerMeeting(const RequestContext& caller, const CoordinatorScope& scope, const v1::Meeting& m);
bool MaySeeMeeting(const RequestContext& caller, const CoordinatorScope& scope, const v1::Meeting& m);

// The partner view (GetMeeting view_as_organisation_id): `caller` (a
// coordinator who steers the meeting) as a PARTNER of `organisation`, of
// `kind`, with no user of its own, so that the rules above give it what
// every partner of that organisation sees and nothing a personal role on a
// case would add. No coordinator role, so an empty scope goes with it.
RequestContext PartnerView(const RequestContext& caller, const std::string& organisation,
                           common::v1::OrganisationKind kind);

// An action is worked by the partners it is given to and by the
// coordinators who may see its case; only the latter cancel it.
struct ActionAccess {
  bool coordinates = false;  // a coordinator who may see the case
  bool assigned = false;     // a partner of an organisation the action is given to
  bool may_work() const { return coordinates || assigned; }
};
ActionAccess AccessToAction(const RequestContext& caller, const CoordinatorScope& scope, const v1::Action& a,
                            const v1::Case& c);

// MaySeeCase as the parameters of the store's list query.
struct CaseFilter {
  std::string user;
  std::string organisation;
  bool partner = false;
  bool coordinator = false;
  std::vector<std::string> coordinator_scope;
  // From this level up only the people with a role on the case see it.
  int personal_from = v1::CONFIDENTIALITY_GEHEIM;
  // Up to this level every coordinator of the area sees it; above, only
  // those of a participating organisation.
  int all_coordinators_through = v1::CONFIDENTIALITY_INTERN;
};
CaseFilter CaseFilterFor(const RequestContext& caller, const CoordinatorScope& scope);

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_ACCESS_H_
