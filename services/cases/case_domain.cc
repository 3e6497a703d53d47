#include "services/cases/case_domain.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/cases/case_rules.h"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/validation.h"

namespace hartslag::cases {
namespace {

constexpr const char* kPurposes[] = {"TRIAGE",           "MEETING_PREPARATION", "MEETING",
                                     "ACTION_EXECUTION", "CASE_MANAGEMENT",     "SUBJECT_ACCESS_REQUEST"};
constexpr int kMaxOrganisations = 30;

}  // namespace

bool IsCasePurpose(absl::string_view purpose) {
  return std::find(std::begin(kPurposes), std::end(kPurposes), purpose) != std::end(kPurposes);
}

absl::Status RequirePurpose(const RequestContext& caller) {
  if (IsCasePurpose(caller.purpose)) return absl::OkStatus();
  return Invalid("x-hartslag-purpose", absl::StrCat("state why you read case data: one of ",
                                                    absl::StrJoin(kPurposes, ", ")));
}

void AddSubjects(const v1::Case& c, AuditRecord& audit) {
  if (c.has_address()) audit.AddAddress(c.address());
  for (const v1::CasePerson& p : c.persons()) audit.AddPerson(p.name(), p.birth_year());
}

absl::Status CheckIds(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (ids.size() > kMaxOrganisations) return Invalid(field, absl::StrCat("at most ", kMaxOrganisations));
  for (int i = 0; i < ids.size(); ++i) RETURN_IF_ERROR(CheckId(absl::StrCat(field, "[", i, "]"), ids[i]));
  return absl::OkStatus();
}

absl::Status CheckRisk(v1::RiskTier tier, std::string& reason) {
  if (!v1::RiskTier_IsValid(tier)) return Invalid("risk_tier", "is not a known tier");
  if (tier == v1::RISK_TIER_UNSPECIFIED) {
    if (!reason.empty()) return Invalid("risk_reason", "is given only with a risk_tier");
    return absl::OkStatus();
  }
  return CheckText("risk_reason", reason, 1, 500, true);
}

void ApplyRisk(v1::Case& c, v1::RiskTier tier, const std::string& reason) {
  c.set_risk_tier(tier);
  c.set_risk_reason(reason);
  absl::Duration cadence = ReviewCadence(tier);
  if (cadence > absl::ZeroDuration()) {
    *c.mutable_next_review_at() = TimeToProto(absl::Now() + cadence);
  } else {
    c.clear_next_review_at();
  }
}

v1::CaseListItem ListItem(const v1::Case& c) {
  v1::CaseListItem item;
  item.set_case_id(c.case_id());
  item.set_reference(c.reference());
  item.set_kind(c.kind());
  item.set_status(c.status());
  item.set_title(c.title());
  *item.mutable_area() = c.area();
  item.set_risk_tier(c.risk_tier());
  if (c.has_next_review_at()) *item.mutable_next_review_at() = c.next_review_at();
  *item.mutable_updated_at() = c.updated_at();
  return item;
}

void AddSignalSubjects(const intake::v1::Signal& signal, AuditRecord& audit) {
  if (signal.has_location()) audit.AddAddress(signal.location().address());
  for (const auto& p : signal.persons()) audit.AddPerson(p.name(), p.birth_year());
}

absl::Status RecordCaseState(const CasesData& data, db::Transaction& tx, const std::string& tenant,
                             const v1::Case& c) {
  intake::v1::CaseState state;
  state.set_event_id(RandomUuid());
  state.set_tenant_id(tenant);
  state.set_case_id(c.case_id());
  state.set_open(c.status() != v1::CASE_STATUS_CLOSED);
  *state.mutable_changed_at() = c.updated_at();
  for (const std::string& signal_id : c.signal_ids()) state.add_signal_ids(signal_id);
  data.outbox.Add(tx, kIntakeCaseStatesTarget, {state.event_id(), tenant, state.SerializeAsString()});
  return absl::OkStatus();
}

absl::StatusOr<absl::TimeZone> CasesData::ZoneOf(db::Transaction& tx, const std::string& tenant) const {
  ASSIGN_OR_RETURN(TenantSettings settings, cases.SettingsOf(tx, tenant));
  return TimeZoneOf(settings.time_zone());
}

absl::StatusOr<absl::TimeZone> CasesData::ZoneOf(const RequestContext& caller) const {
  absl::TimeZone zone;
  RETURN_IF_ERROR(Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(zone, ZoneOf(tx, caller.tenant));
    return absl::OkStatus();
  }));
  return zone;
}

absl::CivilDay Today(absl::TimeZone zone) { return absl::ToCivilDay(absl::Now(), zone); }

absl::StatusOr<v1::Action> NewAction(const RequestContext& caller, v1::CreateActionRequest& request,
                                     const std::string& prefix, const std::string& case_id, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckText(prefix + "description", *request.mutable_description(), 1, 2000, true));
  if (request.organisation_ids().empty()) return Invalid(prefix + "organisation_ids", "at least one organisation");
  RETURN_IF_ERROR(CheckIds(prefix + "organisation_ids", request.organisation_ids()));
  if (!request.assignee().empty()) RETURN_IF_ERROR(CheckId(prefix + "assignee", request.assignee()));
  absl::CivilDay due;
  if (!absl::ParseCivilTime(request.due_date(), &due)) {
    return Invalid(prefix + "due_date", "must be a date as YYYY-MM-DD");
  }
  if (due < today) return Invalid(prefix + "due_date", "lies in the past");
  if (request.addresses_size() > 50) return Invalid(prefix + "addresses", "at most 50");
  for (int i = 0; i < request.addresses_size(); ++i) {
    RETURN_IF_ERROR(CheckAddress(absl::StrCat(prefix, "addresses[", i, "]"), *request.mutable_addresses(i)));
  }
  v1::Action action;
  action.set_action_id(RandomUuid());
  action.set_case_id(case_id);
  action.set_description(request.description());
  *action.mutable_organisation_ids() = request.organisation_ids();
  action.set_assignee(request.assignee());
  action.set_due_date(absl::FormatCivilTime(due));
  action.set_status(v1::ACTION_STATUS_OPEN);
  for (const auto& address : request.addresses()) *action.add_addresses()->mutable_address() = address;
  action.mutable_created_by()->set_user_id(caller.user);
  action.mutable_created_by()->set_organisation_id(caller.organisation);
  action.mutable_created_by()->set_organisation_kind(caller.organisation_kind);
  return action;
}

void JoinCase(v1::Case& c, const v1::Action& action) {
  for (const std::string& org : action.organisation_ids()) {
    if (std::find(c.participating_organisations().begin(), c.participating_organisations().end(), org) ==
        c.participating_organisations().end()) {
      c.add_participating_organisations(org);
    }
  }
}

absl::Status RequireVisibleCase(const CasesData& data, const RequestContext& caller, const std::string& case_id,
                                AuditRecord& audit) {
  if (!IsUuid(case_id)) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(case_id);
  ASSIGN_OR_RETURN(CoordinatorScope scope, data.ScopeOf(caller));
  std::optional<v1::Case> c;
  RETURN_IF_ERROR(data.Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(c, data.cases.Find(tx, caller.tenant, case_id, ""));
    return absl::OkStatus();
  }));
  if (!c || !MaySeeCase(caller, scope, *c)) {
    if (c) audit.MarkDenied();
    return absl::NotFoundError("case not found");
  }
  AddSubjects(*c, audit);
  return absl::OkStatus();
}

v1::Action WithOverdue(v1::Action a, absl::CivilDay today) {
  a.set_overdue(IsOverdue(a, today));
  return a;
}

}  // namespace hartslag::cases
