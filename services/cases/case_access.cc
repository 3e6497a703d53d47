#include "services/cases/case_access.h"

#include <algorithm>

namespace hartslag::cases {
namespace {

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

absl::StatusOr<CoordinatorScope> CoordinatorScopeOf(const RequestContext& caller, db::Pool& pool,
                                                    const AreaCopy& areas) {
  if (!caller.Has(Role::kCoordinator)) return CoordinatorScope();
  return areas.Within(pool, caller.tenant, caller.areas, caller.deadline);
}

bool HasRoleOnCase(const RequestContext& caller, const v1::Case& c) {
  // A caller without a user (the partner view) has no personal role, also
  // on a case whose case manager is not yet named.
  if (caller.user.empty()) return false;
  return caller.user == c.process_coordinator() || caller.user == c.case_manager() ||
         Contains(c.members(), caller.user);
}

bool MaySeeCase(const RequestContext& caller, const CoordinatorScope& scope, const v1::Case& c) {
  if (caller.tenant.empty()) return false;
  bool personal = HasRoleOnCase(caller, c);
  if (c.confidentiality() >= v1::CONFIDENTIALITY_GEHEIM) return personal;
  if (personal) return true;
  bool participates = Contains(c.participating_organisations(), caller.organisation);
  if (caller.Has(Role::kPartner) && participates) return true;
  return caller.Has(Role::kCoordinator) && scope.contains(c.area().area_id()) &&
         (c.confidentiality() <= v1::CONFIDENTIALITY_INTERN || participates);
}

bool MayBreakGlass(const RequestContext& caller, const CoordinatorScope& scope, const v1::Case& c) {
  return caller.Has(Role::kCoordinator) && scope.contains(c.area().area_id());
}

bool MayReadNote(const RequestContext& reader, v1::NoteVisibility visibility) {
  if (reader.Has(Role::kCoordinator)) return true;
  switch (visibility) {
    case v1::NOTE_VISIBILITY_PARTICIPANTS: return true;
    case v1::NOTE_VISIBILITY_CARE: return reader.organisation_kind == common::v1::ORGANISATION_KIND_CARE;
    case v1::NOTE_VISIBILITY_POLICE: return reader.organisation_kind == common::v1::ORGANISATION_KIND_POLICE;
    default: return false;
  }
}

bool MayWriteNote(const RequestContext& author, v1::NoteVisibility visibility) {
  if (visibility == v1::NOTE_VISIBILITY_UNSPECIFIED) return false;
  if (author.Has(Role::kCoordinator)) return true;
  return visibility != v1::NOTE_VISIBILITY_COORDINATION && MayReadNote(author, visibility);
}

std::vector<v1::NoteVisibility> ReadableNotes(const RequestContext& reader) {
  std::vector<v1::NoteVisibility> readable;
  for (int v = v1::NoteVisibility_MIN; v <= v1::NoteVisibility_MAX; ++v) {
    if (v1::NoteVisibility_IsValid(v) && MayReadNote(reader, static_cast<v1::NoteVisibility>(v))) {
      readable.push_back(static_cast<v1::NoteVisibility>(v));
    }
  }
  return readable;
}

bool MaySteerMeeting(const RequestContext& caller, const CoordinatorScope& scope, const v1::Meeting& m) {
  return caller.Has(Role::kCoordinator) && scope.contains(m.area().area_id());
}

bool MaySeeMeeting(const RequestContext& caller, const CoordinatorScope& scope, const v1::Meeting& m) {
  return MaySteerMeeting(caller, scope, m) ||
         (caller.Has(Role::kPartner) && Contains(m.participating_organisations(), caller.organisation));
}

RequestContext PartnerView(const RequestContext& caller, const std::string& organisation,
                           common::v1::OrganisationKind kind) {
  RequestContext view;
  view.request_id = caller.request_id;
  view.tenant = caller.tenant;
  view.organisation = organisation;
  view.organisation_kind = kind;
  view.roles = {Role::kPartner};
  view.purpose = caller.purpose;
  view.deadline = caller.deadline;
  view.token_expires_at = caller.token_expires_at;
  return view;
}

ActionAccess AccessToAction(const RequestContext& caller, const CoordinatorScope& scope, const v1::Action& a,
                            const v1::Case& c) {
  ActionAccess access;
  access.coordinates = caller.Has(Role::kCoordinator) && MaySeeCase(caller, scope, c);
  access.assigned = caller.Has(Role::kPartner) && Contains(a.organisation_ids(), caller.organisation);
  return access;
}

CaseFilter CaseFilterFor(const RequestContext& caller, const CoordinatorScope& scope) {
  CaseFilter filter;
  filter.user = caller.user;
  filter.organisation = caller.organisation;
  filter.partner = caller.Has(Role::kPartner);
  filter.coordinator = caller.Has(Role::kCoordinator);
  filter.coordinator_scope.assign(scope.begin(), scope.end());
  return filter;
}

}  // namespace hartslag::cases
