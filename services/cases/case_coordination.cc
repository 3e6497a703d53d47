#include "services/cases/case_coordination.h"


#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/time/civil_time.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/cases/case_rules.h"
#include "services/cases/meeting_document.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"
#include "services/common/proto_bytes.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/update_mask.h"
#include "services/common/validation.h"

namespace hartslag::cases {
namespace {

constexpr const char* kPurposes[] = {"TRIAGE",           "MEETING_PREPARATION", "MEETING",
                                     "ACTION_EXECUTION", "CASE_MANAGEMENT",     "SUBJECT_ACCESS_REQUEST"};
constexpr int kMaxPersons = 20;
constexpr int kMaxOrganisations = 30;
// How far back the triage queue proposes other signals by default.
constexpr int kDefaultProposalWindowDays = 90;
// A triage page of 50 signals with their proposals stays under 4 MiB even
// with every field at its maximum (a signal is at most about 45 KB).
constexpr int kDefaultTriagePage = 25;
constexpr int kMaxTriagePage = 50;
// Proposals per list on one signal: enough to weigh it; more is noise.
constexpr int kMaxProposals = 20;
constexpr int kDefaultNotesPage = 50;
constexpr int kMaxNotesPage = 200;
// Status changes in a case summary; the audit log holds all.
constexpr int kMaxHistory = 200;
// Action changes per step of a WatchActions stream.
constexpr int kWatchPage = 100;

absl::Status RequirePurpose(const RequestContext& caller) {
  if (IsCasePurpose(caller.purpose)) return absl::OkStatus();
  return Invalid("x-hartslag-purpose", absl::StrCat("state why you read case data: one of ",
                                                    absl::StrJoin(kPurposes, ", ")));
}

// The address and persons a case is about, for the audit record.
void AddSubjects(const v1::Case& c, AuditRecord& audit) {
  if (c.has_address()) audit.AddAddress(c.address());
  for (const v1::CasePerson& p : c.persons()) audit.AddPerson(p.name(), p.birth_year());
}

absl::Status CheckIds(absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (ids.size() > kMaxOrganisations) return Invalid(field, absl::StrCat("at most ", kMaxOrganisations));
  for (int i = 0; i < ids.size(); ++i) RETURN_IF_ERROR(CheckId(absl::StrCat(field, "[", i, "]"), ids[i]));
  return absl::OkStatus();
}

absl::Status CheckReason(std::string& reason) { return CheckText("reason", reason, 1, 500, true); }

absl::Status CheckPlan(google::protobuf::RepeatedPtrField<v1::PlanGoal>& plan) {
  for (int i = 0; i < plan.size(); ++i) {
    std::string prefix = absl::StrCat("plan[", i, "]");
    RETURN_IF_ERROR(CheckText(prefix + ".goal", *plan[i].mutable_goal(), 1, 500, true));
    RETURN_IF_ERROR(CheckIds(prefix + ".organisation_ids", plan[i].organisation_ids()));
  }
  return absl::OkStatus();
}

// A reason comes with a tier, and only with one: a reason alone would be
// stored unchecked.
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

}  // namespace

bool IsCasePurpose(absl::string_view purpose) {
  return std::find(std::begin(kPurposes), std::end(kPurposes), purpose) != std::end(kPurposes);
}

absl::StatusOr<std::set<std::string>> CaseCoordination::CoordinatorScope(const RequestContext& caller) {
  if (!caller.Has(Role::kCoordinator)) return std::set<std::string>();
  return store_->AreasWithin(caller.tenant, caller.areas, caller.deadline);
}

absl::StatusOr<v1::Case> CaseCoordination::Open(const RequestContext& caller,
                                                v1::OpenCaseRequest request, AuditRecord& audit) {
  if (!IsUuid(request.request_id())) return Invalid("request_id", "must be a UUID");
  request.set_request_id(absl::AsciiStrToLower(request.request_id()));
  if (request.kind() == v1::CASE_KIND_UNSPECIFIED || !v1::CaseKind_IsValid(request.kind())) {
    return Invalid("kind", "is required: LEEFBAARHEID or CASUISTIEK");
  }
  RETURN_IF_ERROR(CheckText("title", *request.mutable_title(), 1, 200));
  RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  if (!scope.contains(request.area_id())) {
    return absl::PermissionDeniedError("area_id: not one of your areas");
  }
  if (request.kind() == v1::CASE_KIND_LEEFBAARHEID || request.has_address()) {
    if (!request.has_address()) return Invalid("address", "is required for a LEEFBAARHEID case");
    RETURN_IF_ERROR(CheckAddress("address", *request.mutable_address()));
  }
  if (request.kind() == v1::CASE_KIND_CASUISTIEK && request.persons().empty()) {
    return Invalid("persons", "a CASUISTIEK case needs at least one person");
  }
  if (request.persons_size() > kMaxPersons) return Invalid("persons", absl::StrCat("at most ", kMaxPersons));
  for (int i = 0; i < request.persons_size(); ++i) {
    v1::CasePerson& p = *request.mutable_persons(i);
    RETURN_IF_ERROR(CheckPersonFields(absl::StrCat("persons[", i, "]"), *p.mutable_name(), p.birth_year(),
                                      *p.mutable_role(), absl::Now()));
  }
  if (request.process_coordinator().empty()) request.set_process_coordinator(caller.user);
  RETURN_IF_ERROR(CheckId("process_coordinator", request.process_coordinator()));
  RETURN_IF_ERROR(CheckIds("participating_organisations", request.participating_organisations()));
  if (!v1::Confidentiality_IsValid(request.confidentiality())) {
    return Invalid("confidentiality", "is not a known level");
  }
  RETURN_IF_ERROR(CheckRisk(request.risk_tier(), *request.mutable_risk_reason()));
  for (int i = 0; i < request.signal_ids_size(); ++i) {
    if (!IsUuid(request.signal_ids(i))) return Invalid(absl::StrCat("signal_ids[", i, "]"), "must be a UUID");
  }

  v1::Case c;
  c.set_kind(request.kind());
  c.set_title(request.title());
  c.mutable_area()->set_area_id(request.area_id());
  if (request.has_address()) *c.mutable_address() = request.address();
  *c.mutable_persons() = request.persons();
  c.set_process_coordinator(request.process_coordinator());
  *c.mutable_participating_organisations() = request.participating_organisations();
  // The coordinator's own organisation always takes part.
  if (std::find(c.participating_organisations().begin(), c.participating_organisations().end(),
                caller.organisation) == c.participating_organisations().end()) {
    c.add_participating_organisations(caller.organisation);
  }
  c.set_confidentiality(request.confidentiality() == v1::CONFIDENTIALITY_UNSPECIFIED
                            ? DefaultConfidentiality(request.kind())
                            : request.confidentiality());
  ApplyRisk(c, request.risk_tier(), request.risk_reason());
  *c.mutable_signal_ids() = request.signal_ids();
  AddSubjects(c, audit);
  v1::OpenCaseRequest content = request;
  content.clear_request_id();
  return store_->Open(caller, std::move(c), request.request_id(), Fingerprint(content), audit);
}

absl::StatusOr<v1::CaseSummary> CaseCoordination::Get(const RequestContext& caller,
                                                      const v1::GetCaseRequest& request,
                                                      AuditRecord& audit) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  std::string id, reference;
  switch (request.key_case()) {
    case v1::GetCaseRequest::kCaseId:
      if (!IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");
      id = request.case_id();
      break;
    case v1::GetCaseRequest::kReference:
      reference = request.reference();
      break;
    case v1::GetCaseRequest::KEY_NOT_SET:
      return Invalid("case_id", "case_id or reference is required");
  }
  ASSIGN_OR_RETURN(std::optional<v1::Case> c, store_->Find(caller.tenant, id, reference, caller.deadline));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  if (c) audit.SetObjectId(c->case_id());
  bool visible = c && MaySeeCase(caller, scope, *c);
  if (c && !visible && !request.break_glass_reason().empty()) {
    std::string reason = request.break_glass_reason();
    RETURN_IF_ERROR(CheckText("break_glass_reason", reason, 10, 500, true));
    if (MayBreakGlass(caller, scope, *c)) {
      audit.MarkBreakGlass();
      AddSubjects(*c, audit);
      RETURN_IF_ERROR(store_->RecordBreakGlass(caller, c->case_id(), reason, audit));
      visible = true;
    }
  }
  if (!visible) {
    if (c) audit.MarkDenied();
    return absl::NotFoundError("case not found");
  }
  v1::CaseSummary summary;
  v1::ListNotesRequest first_notes;
  first_notes.set_case_id(c->case_id());
  ASSIGN_OR_RETURN(v1::ListNotesResponse notes, NotesPage(caller, first_notes));
  *summary.mutable_notes() = std::move(*notes.mutable_notes());
  // ListNotes needs the need-to-know that breaking the glass bypasses once.
  if (!audit.break_glass()) summary.set_next_notes_page_token(notes.next_page_token());
  ASSIGN_OR_RETURN(auto history, store_->History(caller.tenant, c->case_id(), kMaxHistory, caller.deadline));
  // The newest changes that fit in 1 MiB, oldest first.
  size_t first = history.first.size(), bytes = 0;
  while (first > 0 && (bytes += history.first[first - 1].ByteSizeLong()) <= kMaxPageBytes / 2) --first;
  for (size_t i = first; i < history.first.size(); ++i) *summary.add_history() = std::move(history.first[i]);
  summary.set_earlier_history_omitted(history.second - summary.history_size());
  AddSubjects(*c, audit);
  *summary.mutable_case_() = *std::move(c);
  return summary;
}

absl::StatusOr<v1::ListCasesResponse> CaseCoordination::List(const RequestContext& caller,
                                                             const v1::ListCasesRequest& request,
                                                             AuditRecord& audit) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 2));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  CaseQuery query;
  query.tenant = caller.tenant;
  query.user = caller.user;
  query.organisation = caller.organisation;
  query.partner = caller.Has(Role::kPartner);
  query.coordinator = caller.Has(Role::kCoordinator);
  query.coordinator_scope.assign(scope.begin(), scope.end());
  query.limit = paging.size + 1;
  if (request.kind() != v1::CASE_KIND_UNSPECIFIED) {
    if (!v1::CaseKind_IsValid(request.kind())) return Invalid("kind", "is not a known kind");
    query.kind = request.kind();
  }
  if (request.status() != v1::CASE_STATUS_UNSPECIFIED) {
    if (!v1::CaseStatus_IsValid(request.status())) return Invalid("status", "is not a known status");
    query.status = request.status();
  }
  if (!request.area_id().empty()) {
    RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
    ASSIGN_OR_RETURN(std::set<std::string> within,
                     store_->AreasWithin(caller.tenant, {request.area_id()}, caller.deadline));
    query.areas = std::vector<std::string>(within.begin(), within.end());
  }
  ASSIGN_OR_RETURN(query.after, AfterTimeId(paging));
  ASSIGN_OR_RETURN(std::vector<v1::Case> cases, store_->List(query, caller.deadline));
  v1::ListCasesResponse response;
  response.set_next_page_token(
      CutPage(cases, paging, [](const v1::Case& last) { return TimeIdPosition(last.updated_at(), last.case_id()); }));
  for (const v1::Case& c : cases) {
    if (!MaySeeCase(caller, scope, c)) continue;  // the query's scope and MaySeeCase agree; defence in depth
    *response.add_cases() = ListItem(c);
    if (c.has_address()) audit.AddAddress(c.address());  // the list shows the case's street and title
  }
  audit.SetResultCount(response.cases_size());
  return response;
}

absl::StatusOr<v1::Case> CaseCoordination::Steer(
    const RequestContext& caller, const std::string& case_id,
    const std::function<absl::StatusOr<std::optional<StatusStep>>(v1::Case&)>& change,
    AuditRecord& audit) {
  if (!IsUuid(case_id)) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(case_id);
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  bool refused = false;
  absl::StatusOr<v1::Case> changed = store_->Modify(
      caller, case_id,
      [&](v1::Case& c) -> absl::StatusOr<std::optional<StatusStep>> {
        if (!MaySeeCase(caller, scope, c)) {
          refused = true;
          return absl::NotFoundError("case not found");
        }
        AddSubjects(c, audit);
        return change(c);
      },
      audit);
  if (refused) audit.MarkDenied();
  return changed;
}

absl::StatusOr<v1::Case> CaseCoordination::Transition(const RequestContext& caller,
                                                      const v1::TransitionCaseRequest& request,
                                                      AuditRecord& audit) {
  std::string reason = request.reason();
  RETURN_IF_ERROR(CheckReason(reason));
  if (!v1::CaseStatus_IsValid(request.to()) || request.to() == v1::CASE_STATUS_UNSPECIFIED) {
    return Invalid("to", "is not a known status");
  }
  if (request.to() == v1::CASE_STATUS_CLOSED &&
      (request.result() == v1::CASE_RESULT_UNSPECIFIED || !v1::CaseResult_IsValid(request.result()))) {
    return Invalid("result", "is required to close a case");
  }
  return Steer(caller, request.case_id(), [&](v1::Case& c) -> absl::StatusOr<std::optional<StatusStep>> {
    if (!IsLegalTransition(c.status(), request.to())) {
      return absl::FailedPreconditionError(
          absl::StrCat("to: a case cannot go from ", v1::CaseStatus_Name(c.status()), " to ",
                       v1::CaseStatus_Name(request.to()),
                       c.status() == v1::CASE_STATUS_CLOSED ? " (reopen it with ReopenCase)" : ""));
    }
    StatusStep step{c.status(), request.to(), reason};
    c.set_status(request.to());
    if (request.to() == v1::CASE_STATUS_CLOSED) c.set_result(request.result());
    return step;
  }, audit);
}

absl::StatusOr<v1::Case> CaseCoordination::Reopen(const RequestContext& caller,
                                                  const v1::ReopenCaseRequest& request,
                                                  AuditRecord& audit) {
  std::string reason = request.reason();
  RETURN_IF_ERROR(CheckReason(reason));
  return Steer(caller, request.case_id(), [&](v1::Case& c) -> absl::StatusOr<std::optional<StatusStep>> {
    if (c.status() != v1::CASE_STATUS_CLOSED) {
      return absl::FailedPreconditionError("case_id: only a closed case can be reopened");
    }
    StatusStep step{c.status(), v1::CASE_STATUS_REOPENED, reason};
    c.set_status(v1::CASE_STATUS_REOPENED);
    c.clear_result();
    return step;
  }, audit);
}

absl::StatusOr<v1::Case> CaseCoordination::Update(const RequestContext& caller,
                                                  const v1::UpdateCaseRequest& request,
                                                  AuditRecord& audit) {
  v1::UpdateCaseRequest r = request;
  ASSIGN_OR_RETURN(UpdatePaths paths,
                   UpdatePathsOf(r.update_mask(), {"case_manager", "participating_organisations", "members",
                                                   "confidentiality", "risk_tier", "plan", "escalation",
                                                   "process_coordinator"}));
  if (paths.contains("case_manager") && !r.case_manager().empty()) {
    RETURN_IF_ERROR(CheckId("case_manager", r.case_manager()));
  }
  if (paths.contains("process_coordinator")) RETURN_IF_ERROR(CheckId("process_coordinator", r.process_coordinator()));
  if (paths.contains("participating_organisations")) {
    RETURN_IF_ERROR(CheckIds("participating_organisations.organisation_ids",
                             r.participating_organisations().organisation_ids()));
  }
  if (paths.contains("members")) RETURN_IF_ERROR(CheckIds("members.user_ids", r.members().user_ids()));
  if (paths.contains("confidentiality") && (r.confidentiality() == v1::CONFIDENTIALITY_UNSPECIFIED ||
                                            !v1::Confidentiality_IsValid(r.confidentiality()))) {
    return Invalid("confidentiality", "is required: a known level");
  }
  if (paths.contains("risk_tier")) {
    if (r.risk_tier() == v1::RISK_TIER_UNSPECIFIED) return Invalid("risk_tier", "is required: HIGH, MEDIUM or LOW");
    RETURN_IF_ERROR(CheckRisk(r.risk_tier(), *r.mutable_risk_reason()));
  }
  if (paths.contains("plan")) RETURN_IF_ERROR(CheckPlan(*r.mutable_plan()->mutable_goals()));
  if (paths.contains("escalation")) {
    if (!v1::Escalation_IsValid(r.escalation())) return Invalid("escalation", "is not a known escalation");
    if (r.escalation() != v1::ESCALATION_UNSPECIFIED) {
      RETURN_IF_ERROR(CheckText("escalation_reason", *r.mutable_escalation_reason(), 1, 500, true));
    }
  }
  return Steer(caller, r.case_id(), [&](v1::Case& c) -> absl::StatusOr<std::optional<StatusStep>> {
    if (c.status() == v1::CASE_STATUS_CLOSED) {
      return absl::FailedPreconditionError("case_id: a closed case is not changed; reopen it first");
    }
    if (paths.contains("case_manager")) c.set_case_manager(r.case_manager());
    if (paths.contains("process_coordinator")) c.set_process_coordinator(r.process_coordinator());
    if (paths.contains("participating_organisations")) {
      *c.mutable_participating_organisations() = r.participating_organisations().organisation_ids();
    }
    if (paths.contains("members")) *c.mutable_members() = r.members().user_ids();
    if (paths.contains("confidentiality")) c.set_confidentiality(r.confidentiality());
    if (paths.contains("risk_tier")) ApplyRisk(c, r.risk_tier(), r.risk_reason());
    if (paths.contains("plan")) *c.mutable_plan() = r.plan().goals();
    if (paths.contains("escalation")) {
      c.set_escalation(r.escalation());
      c.set_escalation_reason(r.escalation_reason());
    }
    return std::optional<StatusStep>();
  }, audit);
}

absl::StatusOr<v1::Note> CaseCoordination::AddNote(const RequestContext& caller,
                                                   v1::AddNoteRequest request, AuditRecord& audit) {
  if (!IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(request.case_id());
  if (request.visibility() == v1::NOTE_VISIBILITY_UNSPECIFIED ||
      !v1::NoteVisibility_IsValid(request.visibility())) {
    return Invalid("visibility", "is required: PARTICIPANTS, COORDINATION, CARE or POLICE");
  }
  RETURN_IF_ERROR(CheckText("text", *request.mutable_text(), 1, 5000, true));
  ASSIGN_OR_RETURN(std::optional<v1::Case> c, store_->Find(caller.tenant, request.case_id(), "", caller.deadline));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  if (!c || !MaySeeCase(caller, scope, *c)) {
    if (c) audit.MarkDenied();
    return absl::NotFoundError("case not found");
  }
  if (!MayWriteNote(caller, request.visibility())) {
    return absl::PermissionDeniedError("visibility: your organisation cannot write notes for that audience");
  }
  AddSubjects(*c, audit);
  return store_->AddNote(caller, request.case_id(), request.visibility(), request.text(), audit);
}

absl::StatusOr<v1::ListNotesResponse> CaseCoordination::NotesPage(const RequestContext& caller,
                                                                  const v1::ListNotesRequest& request) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultNotesPage, kMaxNotesPage, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  std::vector<v1::NoteVisibility> readable;
  for (int v = v1::NoteVisibility_MIN; v <= v1::NoteVisibility_MAX; ++v) {
    if (v1::NoteVisibility_IsValid(v) && MayReadNote(caller, static_cast<v1::NoteVisibility>(v))) {
      readable.push_back(static_cast<v1::NoteVisibility>(v));
    }
  }
  ASSIGN_OR_RETURN(std::vector<v1::Note> notes,
                   store_->Notes(caller.tenant, request.case_id(), readable, after, paging.size + 1, caller.deadline));
  v1::ListNotesResponse response;
  response.set_next_page_token(
      CutPage(notes, paging, [](const v1::Note& last) { return TimeIdPosition(last.written_at(), last.note_id()); }));
  for (v1::Note& note : notes) *response.add_notes() = std::move(note);
  return response;
}

absl::Status CaseCoordination::RequireVisibleCase(const RequestContext& caller, const std::string& case_id,
                                                  AuditRecord& audit) {
  if (!IsUuid(case_id)) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(case_id);
  ASSIGN_OR_RETURN(std::optional<v1::Case> c, store_->Find(caller.tenant, case_id, "", caller.deadline));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  if (!c || !MaySeeCase(caller, scope, *c)) {
    if (c) audit.MarkDenied();
    return absl::NotFoundError("case not found");
  }
  AddSubjects(*c, audit);
  return absl::OkStatus();
}

absl::StatusOr<v1::ListNotesResponse> CaseCoordination::ListNotes(const RequestContext& caller,
                                                                  const v1::ListNotesRequest& request,
                                                                  AuditRecord& audit) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  RETURN_IF_ERROR(RequireVisibleCase(caller, request.case_id(), audit));
  ASSIGN_OR_RETURN(v1::ListNotesResponse response, NotesPage(caller, request));
  audit.SetResultCount(response.notes_size());
  return response;
}

absl::StatusOr<v1::ListBreakGlassReviewsResponse> CaseCoordination::BreakGlassReviews(
    const RequestContext& caller, const v1::ListBreakGlassReviewsRequest& request, AuditRecord& audit) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, 100, 500, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  ASSIGN_OR_RETURN(std::vector<v1::BreakGlassReview> reviews,
                   store_->BreakGlassReviews(caller.tenant, after, paging.size + 1, caller.deadline));
  v1::ListBreakGlassReviewsResponse response;
  response.set_next_page_token(CutPage(
      reviews, paging, [](const v1::BreakGlassReview& last) { return TimeIdPosition(last.at(), last.review_id()); }));
  for (v1::BreakGlassReview& r : reviews) *response.add_reviews() = std::move(r);
  audit.SetResultCount(response.reviews_size());
  return response;
}

namespace {

// Signals reported before the cut-off are weighed for this week's meetings.
absl::TimeZone TenantZone() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Amsterdam", &zone)) zone = absl::UTCTimeZone();
  return zone;
}

void AddSignalSubjects(const intake::v1::Signal& signal, AuditRecord& audit) {
  if (signal.has_location()) audit.AddAddress(signal.location().address());
  for (const auto& p : signal.persons()) audit.AddPerson(p.name(), p.birth_year());
}

std::string DefaultFeedback(const v1::TriageSignalRequest& r) {
  switch (r.choice()) {
    case v1::TRIAGE_CHOICE_HANDLE_DIRECTLY: return "Uw signaal is opgepakt en wordt direct afgehandeld.";
    case v1::TRIAGE_CHOICE_LEEFBAARHEID: return "Uw signaal is opgepakt en wordt besproken in het Leefbaarheidsoverleg.";
    case v1::TRIAGE_CHOICE_CASUISTIEK: return "Uw signaal is opgepakt en wordt besproken in het Casuïstiekoverleg.";
    case v1::TRIAGE_CHOICE_REFER: return absl::StrCat("Uw signaal is doorgezet naar ", r.refer_to(), ".");
    default: return "Uw signaal is gewogen; er volgt geen actie.";
  }
}

intake::v1::SignalStatus OutcomeStatus(v1::TriageChoice choice) {
  switch (choice) {
    case v1::TRIAGE_CHOICE_REFER: return intake::v1::SIGNAL_STATUS_REFERRED;
    case v1::TRIAGE_CHOICE_NO_ACTION: return intake::v1::SIGNAL_STATUS_NO_ACTION;
    default: return intake::v1::SIGNAL_STATUS_ACCEPTED;
  }
}

}  // namespace

absl::StatusOr<v1::TriageQueue> CaseCoordination::TriageQueue(const RequestContext& caller,
                                                              const v1::GetTriageQueueRequest& request,
                                                              AuditRecord& audit) {
  if (caller.purpose != "TRIAGE") return Invalid("x-hartslag-purpose", "the triage queue is read for TRIAGE");
  int window_days = request.window_days() == 0 ? kDefaultProposalWindowDays : request.window_days();
  if (window_days < 1 || window_days > 365) return Invalid("window_days", "must be 1 to 365");
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  std::set<std::string> areas = scope;
  if (!request.area_id().empty()) {
    RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
    if (!scope.contains(request.area_id())) return absl::PermissionDeniedError("area_id: not one of your areas");
    ASSIGN_OR_RETURN(areas, store_->AreasWithin(caller.tenant, {request.area_id()}, caller.deadline));
  }
  v1::TriageQueue queue;
  absl::Time cut_off = WeeklyCutOff(absl::Now(), TenantZone());
  *queue.mutable_cut_off() = TimeToProto(cut_off);
  // The page token carries intake's, bound to this filter.
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultTriagePage, kMaxTriagePage, 1));
  std::string intake_token = paging.after.empty() ? "" : paging.after[0];
  if (areas.empty()) return queue;
  ASSIGN_OR_RETURN(UntriagedPage page,
                   untriaged_(caller.tenant, {areas.begin(), areas.end()}, paging.size, intake_token, caller.deadline));
  if (!page.next_page_token.empty()) {
    queue.set_next_page_token(EncodePageToken(paging.fingerprint, {page.next_page_token}));
  }
  std::vector<intake::v1::Signal>& signals = page.signals;
  std::vector<std::string> ids;
  for (const auto& s : signals) ids.push_back(s.signal_id());
  // Decided here but not yet known to intake (the outcome is on its way).
  ASSIGN_OR_RETURN(std::set<std::string> decided, store_->Decided(caller.tenant, ids, caller.deadline));
  std::erase_if(signals, [&](const intake::v1::Signal& s) { return decided.contains(s.signal_id()); });
  RETURN_IF_ERROR(store_->SaveQueueSignals(caller.tenant, signals));

  // Proposals: other signals at the same address within the window (this
  // queue's and earlier queues'), open cases at the address, and open
  // Casuïstiek cases about the same persons.
  absl::Time since = absl::Now() - absl::Hours(24) * window_days;
  std::map<std::string, std::set<std::string>> signals_at;
  for (const auto& s : signals) signals_at[AddressKey(s.location().address())].insert(s.signal_id());
  std::vector<std::string> keys;
  for (const auto& [key, unused] : signals_at) keys.push_back(key);
  // One more than shown: a signal may find itself among them.
  ASSIGN_OR_RETURN(std::vector<intake::v1::Signal> earlier,
                   store_->QueueSignalsAt(caller.tenant, keys, since, kMaxProposals + 1, caller.deadline));
  for (const auto& s : earlier) {
    absl::StatusOr<absl::Time> reported = TimeFromProto(s.reported_at(), "reported_at");
    if (reported.ok() && *reported >= since) signals_at[AddressKey(s.location().address())].insert(s.signal_id());
  }
  ASSIGN_OR_RETURN(std::vector<v1::Case> cases,
                   store_->OpenCasesAt(caller.tenant, keys, kMaxProposals, caller.deadline));
  std::map<std::string, std::vector<v1::CaseListItem>> cases_at;
  for (const v1::Case& c : cases) {
    if (MaySeeCase(caller, scope, c)) cases_at[AddressKey(c.address())].push_back(ListItem(c));
  }
  std::set<std::string> person_keys;
  for (const auto& s : signals) {
    for (const auto& p : s.persons()) {
      if (std::string key = PersonKey(p.name()); !key.empty()) person_keys.insert(std::move(key));
    }
  }
  ASSIGN_OR_RETURN(std::vector<v1::Case> households,
                   store_->OpenCasesAbout(caller.tenant, v1::CASE_KIND_CASUISTIEK, {scope.begin(), scope.end()},
                                          {person_keys.begin(), person_keys.end()}, kMaxProposals,
                                          kMaxProposals * kMaxTriagePage, caller.deadline));
  std::erase_if(households, [&](const v1::Case& c) { return !MaySeeCase(caller, scope, c); });
  for (intake::v1::Signal& s : signals) {
    v1::TriageItem& item = *queue.add_items();
    std::string key = AddressKey(s.location().address());
    absl::StatusOr<absl::Time> reported = TimeFromProto(s.reported_at(), "reported_at");
    item.set_before_cut_off(reported.ok() && *reported < cut_off);
    item.set_meldcode(s.meldcode());
    for (const v1::CaseListItem& c : cases_at[key]) {
      if (item.cases_at_address_size() < kMaxProposals) *item.add_cases_at_address() = c;
    }
    for (const std::string& other : signals_at[key]) {
      if (other != s.signal_id() && item.signals_at_address_size() < kMaxProposals) item.add_signals_at_address(other);
    }
    for (const v1::Case& c : households) {
      if (item.cases_with_persons_size() >= kMaxProposals) break;
      bool same = false;
      for (const auto& p : s.persons()) {
        for (const auto& q : c.persons()) same = same || SamePerson(p.name(), p.birth_year(), q.name(), q.birth_year());
      }
      if (same) *item.add_cases_with_persons() = ListItem(c);
    }
    AddSignalSubjects(s, audit);
    *item.mutable_signal() = std::move(s);
  }
  audit.SetResultCount(queue.items_size());
  return queue;
}

absl::StatusOr<v1::TriageDecision> CaseCoordination::Triage(const RequestContext& caller,
                                                            v1::TriageSignalRequest request,
                                                            AuditRecord& audit) {
  if (!IsUuid(request.signal_id())) return Invalid("signal_id", "must be a UUID");
  audit.SetObjectId(request.signal_id());
  if (request.choice() == v1::TRIAGE_CHOICE_UNSPECIFIED || !v1::TriageChoice_IsValid(request.choice())) {
    return Invalid("choice", "is required");
  }
  bool to_meeting = request.choice() == v1::TRIAGE_CHOICE_LEEFBAARHEID ||
                    request.choice() == v1::TRIAGE_CHOICE_CASUISTIEK;
  if (request.choice() == v1::TRIAGE_CHOICE_REFER) {
    RETURN_IF_ERROR(CheckText("refer_to", *request.mutable_refer_to(), 1, 200));
  }
  bool reason_required = request.choice() == v1::TRIAGE_CHOICE_REFER || request.choice() == v1::TRIAGE_CHOICE_NO_ACTION;
  RETURN_IF_ERROR(CheckText("reason", *request.mutable_reason(), reason_required ? 1 : 0, 500, true));
  RETURN_IF_ERROR(CheckText("feedback", *request.mutable_feedback(), 0, 500));
  if (to_meeting && request.case_id().empty()) {
    RETURN_IF_ERROR(CheckText("new_case_title", *request.mutable_new_case_title(), 1, 200));
  }
  if (!request.case_id().empty() && !IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");

  ASSIGN_OR_RETURN(std::optional<intake::v1::Signal> signal,
                   store_->QueueSignal(caller.tenant, request.signal_id(), caller.deadline));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  if (!signal || !scope.contains(signal->area().area_id())) {
    if (signal) audit.MarkDenied();
    return absl::NotFoundError("signal_id: not in your triage queue (read the queue first)");
  }
  AddSignalSubjects(*signal, audit);

  v1::TriageDecision decision;
  decision.set_decision_id(RandomUuid());
  decision.set_signal_id(request.signal_id());
  decision.set_choice(request.choice());
  decision.set_refer_to(request.refer_to());
  decision.set_reason(request.reason());
  decision.set_feedback(request.feedback().empty() ? DefaultFeedback(request) : request.feedback());
  decision.mutable_decided_by()->set_user_id(caller.user);
  decision.mutable_decided_by()->set_organisation_id(caller.organisation);
  decision.mutable_decided_by()->set_organisation_kind(caller.organisation_kind);
  *decision.mutable_decided_at() = TimeToProto(absl::Now());

  v1::CaseKind kind = request.choice() == v1::TRIAGE_CHOICE_CASUISTIEK ? v1::CASE_KIND_CASUISTIEK
                                                                       : v1::CASE_KIND_LEEFBAARHEID;
  CaseStore::TriageCase into;
  if (to_meeting && !request.case_id().empty()) {
    into.link_case_id = request.case_id();
    into.link = [&](v1::Case& c) -> absl::StatusOr<std::optional<StatusStep>> {
      if (!MaySeeCase(caller, scope, c)) return absl::NotFoundError("case_id: case not found");
      if (c.kind() != kind) return absl::FailedPreconditionError("case_id: the case belongs to the other meeting");
      if (c.status() == v1::CASE_STATUS_CLOSED) {
        return absl::FailedPreconditionError("case_id: the case is closed; reopen it first");
      }
      c.add_signal_ids(request.signal_id());
      return std::optional<StatusStep>();
    };
  } else if (to_meeting) {
    if (kind == v1::CASE_KIND_CASUISTIEK && signal->persons().empty()) {
      return absl::FailedPreconditionError(
          "signal_id: the signal names no persons for a CASUISTIEK case; open the case and link it");
    }
    v1::Case c;
    c.set_kind(kind);
    c.set_title(request.new_case_title());
    *c.mutable_area() = signal->area();
    *c.mutable_address() = signal->location().address();
    for (const auto& p : signal->persons()) {
      v1::CasePerson* person = c.add_persons();
      person->set_name(p.name());
      person->set_birth_year(p.birth_year());
      person->set_role(p.role());
    }
    c.set_process_coordinator(caller.user);
    c.add_participating_organisations(caller.organisation);
    c.set_confidentiality(DefaultConfidentiality(kind));
    c.add_signal_ids(request.signal_id());
    into.new_case = std::move(c);
  }

  intake::v1::TriageOutcome outcome;
  outcome.set_event_id(decision.decision_id());
  outcome.set_tenant_id(caller.tenant);
  outcome.set_signal_id(request.signal_id());
  outcome.set_status(OutcomeStatus(request.choice()));
  outcome.set_feedback(decision.feedback());
  return store_->Triage(caller, std::move(decision), into,
                        {outcome.event_id(), caller.tenant, outcome.SerializeAsString()}, audit);
}

namespace {

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), TenantZone()); }

v1::Action WithOverdue(v1::Action a) {
  a.set_overdue(IsOverdue(a, Today()));
  return a;
}

}  // namespace

namespace {

// Checks a requested action (its fields named under `prefix`) and builds it,
// OPEN, for `case_id`.
absl::StatusOr<v1::Action> NewAction(const RequestContext& caller, v1::CreateActionRequest& request,
                                     const std::string& prefix, const std::string& case_id) {
  RETURN_IF_ERROR(CheckText(prefix + "description", *request.mutable_description(), 1, 2000, true));
  if (request.organisation_ids().empty()) return Invalid(prefix + "organisation_ids", "at least one organisation");
  RETURN_IF_ERROR(CheckIds(prefix + "organisation_ids", request.organisation_ids()));
  if (!request.assignee().empty()) RETURN_IF_ERROR(CheckId(prefix + "assignee", request.assignee()));
  absl::CivilDay due;
  if (!absl::ParseCivilTime(request.due_date(), &due)) {
    return Invalid(prefix + "due_date", "must be a date as YYYY-MM-DD");
  }
  if (due < Today()) return Invalid(prefix + "due_date", "lies in the past");
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

// An organisation with an action on a case takes part in it.
void JoinCase(v1::Case& c, const v1::Action& action) {
  for (const std::string& org : action.organisation_ids()) {
    if (std::find(c.participating_organisations().begin(), c.participating_organisations().end(), org) ==
        c.participating_organisations().end()) {
      c.add_participating_organisations(org);
    }
  }
}

}  // namespace

absl::StatusOr<v1::Action> CaseCoordination::CreateAction(const RequestContext& caller,
                                                          v1::CreateActionRequest request, AuditRecord& audit) {
  if (!IsUuid(request.request_id())) return Invalid("request_id", "must be a UUID");
  request.set_request_id(absl::AsciiStrToLower(request.request_id()));
  if (!IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(request.case_id());
  v1::CreateActionRequest content = request;
  content.clear_request_id();
  ASSIGN_OR_RETURN(v1::Action action, NewAction(caller, request, "", request.case_id()));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  bool refused = false;
  absl::StatusOr<v1::Action> created = store_->CreateAction(
      caller, action, request.request_id(), Fingerprint(content),
      [&](v1::Case& c) -> absl::StatusOr<std::optional<StatusStep>> {
        if (!MaySeeCase(caller, scope, c)) {
          refused = true;
          return absl::NotFoundError("case not found");
        }
        if (c.status() == v1::CASE_STATUS_CLOSED) {
          return absl::FailedPreconditionError("case_id: the case is closed");
        }
        JoinCase(c, action);
        AddSubjects(c, audit);
        return std::optional<StatusStep>();
      },
      audit);
  if (refused) audit.MarkDenied();
  if (!created.ok()) return created.status();
  if (doorbell_ != nullptr) doorbell_->Ring();
  return WithOverdue(*std::move(created));
}

absl::StatusOr<v1::ListActionsResponse> CaseCoordination::ListActions(const RequestContext& caller,
                                                                      const v1::ListActionsRequest& request,
                                                                      AuditRecord& audit) {
  if (request.mine() == !request.case_id().empty()) return Invalid("case_id", "give either mine or a case_id");
  if (!v1::ActionStatus_IsValid(request.status())) return Invalid("status", "is not a known status");
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, 100, 500, 2));
  ActionQuery query;
  query.tenant = caller.tenant;
  query.limit = paging.size + 1;
  if (!paging.after.empty()) {
    absl::CivilDay due;
    if (!absl::ParseCivilTime(paging.after[0], &due) || due.year() < 1 || due.year() > 9999 ||
        !IsUuid(paging.after[1])) {
      return Invalid("page_token", "not a token from a previous page");
    }
    query.after = std::make_pair(paging.after[0], paging.after[1]);
  }
  if (request.status() != v1::ACTION_STATUS_UNSPECIFIED) query.statuses = {request.status()};
  if (request.overdue_only()) {
    std::vector<v1::ActionStatus> open;
    for (v1::ActionStatus s : {v1::ACTION_STATUS_OPEN, v1::ACTION_STATUS_IN_PROGRESS}) {
      if (!query.statuses || s == request.status()) open.push_back(s);
    }
    query.statuses = open;
    query.due_before = Today();
  }
  if (request.mine()) {
    query.organisation = caller.organisation;
  } else {
    RETURN_IF_ERROR(RequireVisibleCase(caller, request.case_id(), audit));
    query.case_ids = std::vector<std::string>{request.case_id()};
  }
  ASSIGN_OR_RETURN(std::vector<v1::Action> actions, store_->Actions(query, caller.deadline));
  v1::ListActionsResponse response;
  response.set_next_page_token(CutPage(actions, paging, [](const v1::Action& last) {
    return std::vector<std::string>{last.due_date(), last.action_id()};
  }));
  for (v1::Action& a : actions) *response.add_actions() = WithOverdue(std::move(a));
  audit.SetResultCount(response.actions_size());
  return response;
}

absl::StatusOr<v1::Action> CaseCoordination::UpdateAction(const RequestContext& caller,
                                                          v1::UpdateActionRequest request, AuditRecord& audit) {
  if (!IsUuid(request.action_id())) return Invalid("action_id", "must be a UUID");
  audit.SetObjectId(request.action_id());
  if (!v1::ActionStatus_IsValid(request.status())) return Invalid("status", "is not a known status");
  RETURN_IF_ERROR(CheckText("result", *request.mutable_result(), 0, 2000, true));
  for (auto& [index, finding] : *request.mutable_findings()) {
    RETURN_IF_ERROR(CheckText(absl::StrCat("findings[", index, "]"), finding, 0, 2000, true));
  }
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  bool refused = false;
  absl::StatusOr<v1::Action> updated = store_->ModifyAction(
      caller, request.action_id(),
      [&](v1::Action& a, const v1::Case& c) -> absl::Status {
        bool assigned = std::find(a.organisation_ids().begin(), a.organisation_ids().end(), caller.organisation) !=
                        a.organisation_ids().end();
        bool coordinates = caller.Has(Role::kCoordinator) && MaySeeCase(caller, scope, c);
        if (!coordinates && !(caller.Has(Role::kPartner) && assigned)) {
          refused = true;
          return absl::NotFoundError("action not found");
        }
        AddSubjects(c, audit);
        if (request.status() != v1::ACTION_STATUS_UNSPECIFIED && request.status() != a.status()) {
          if (!IsLegalActionMove(a.status(), request.status())) {
            return absl::FailedPreconditionError(absl::StrCat("status: an action cannot go from ",
                                                              v1::ActionStatus_Name(a.status()), " to ",
                                                              v1::ActionStatus_Name(request.status())));
          }
          if (request.status() == v1::ACTION_STATUS_CANCELLED && !coordinates) {
            return absl::PermissionDeniedError("status: only the case's coordinator cancels an action");
          }
          if (request.status() == v1::ACTION_STATUS_DONE && request.result().empty()) {
            return Invalid("result", "is required to finish an action");
          }
          a.set_status(request.status());
        }
        if (!request.result().empty()) a.set_result(request.result());
        for (const auto& [index, finding] : request.findings()) {
          if (index < 0 || index >= a.addresses_size()) {
            return Invalid(absl::StrCat("findings[", index, "]"), "the action has no address with that index");
          }
          a.mutable_addresses(index)->set_finding(finding);
        }
        return absl::OkStatus();
      },
      audit);
  if (refused) audit.MarkDenied();
  if (!updated.ok()) return updated.status();
  if (doorbell_ != nullptr) doorbell_->Ring();
  return WithOverdue(*std::move(updated));
}

absl::StatusOr<FeedStep<v1::ActionEvent>> CaseCoordination::WatchActions(const RequestContext& caller,
                                                                         const v1::WatchActionsRequest& request,
                                                                         AuditRecord& audit,
                                                                         std::string* start_cursor) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  int64_t after = 0;
  if (!request.cursor().empty() && (!absl::SimpleAtoi(request.cursor(), &after) || after < 0)) {
    return Invalid("cursor", "is not a cursor of this stream");
  }
  if (!request.cursor().empty() && request.from_beginning()) {
    return Invalid("from_beginning", "either a cursor or from_beginning");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<void> lease, open_streams_.Acquire(caller.tenant + "/" + caller.organisation));
  ASSIGN_OR_RETURN(int64_t head, store_->ActionFeedHead(caller.tenant, caller.deadline));
  if (after > head) return Invalid("cursor", "lies beyond the end of this stream");
  // Without a cursor a stream starts at the present, unless it asks for the
  // history: replaying it is the exception, not the price of connecting.
  if (request.cursor().empty() && !request.from_beginning()) after = head;
  *start_cursor = absl::StrCat(after);
  audit.SetResultCount(0);
  auto position = std::make_shared<int64_t>(after);
  // Changes up to the head at opening are history being replayed: one
  // record per page of it. Live changes after it: one record per action, so
  // that who received an action can be asked by its id.
  const int64_t replay_through = head;
  return FeedStep<v1::ActionEvent>(
      [this, position, lease, replay_through](
          const RequestContext& now, const RecordBegin& begin) -> absl::StatusOr<std::vector<v1::ActionEvent>> {
        using Events = std::vector<v1::ActionEvent>;
        auto record_delivery = [&begin, replay_through](db::Transaction& tx, const Events& page,
                                                        const std::vector<v1::Case>& cases) -> absl::Status {
          auto subjects_of = [&](size_t i, AuditRecord& record) {
            AddSubjects(cases[i], record);
            for (const v1::ActionAddress& a : page[i].action().addresses()) record.AddAddress(a.address());
          };
          int64_t first = 0;
          if (absl::SimpleAtoi(page.front().cursor(), &first) && first <= replay_through) {
            AuditRecord record = begin();
            record.SetObjectId(absl::StrCat("cursors ", page.front().cursor(), "..", page.back().cursor()));
            record.SetResultCount(static_cast<int>(page.size()));
            for (size_t i = 0; i < page.size(); ++i) subjects_of(i, record);
            return record.Record(tx);
          }
          for (size_t i = 0; i < page.size(); ++i) {
            AuditRecord record = begin();
            record.SetObjectId(page[i].action().action_id());
            record.SetResultCount(1);
            subjects_of(i, record);
            RETURN_IF_ERROR(record.Record(tx));
          }
          return absl::OkStatus();
        };
        ASSIGN_OR_RETURN(Events events,
                         store_->ActionChanges(now.tenant, now.organisation, *position, kWatchPage, record_delivery,
                             position.get(), now.deadline));
        for (v1::ActionEvent& e : events) *e.mutable_action() = WithOverdue(e.action());
        return events;
      });
}

absl::StatusOr<v1::ListMeetingsResponse> CaseCoordination::ListMeetings(const RequestContext& caller,
                                                                        const v1::ListMeetingsRequest& request,
                                                                        AuditRecord& audit) {
  if (!v1::CaseKind_IsValid(request.kind())) return Invalid("kind", "is not a known kind");
  absl::Time from = absl::Now();
  if (request.has_from()) {
    ASSIGN_OR_RETURN(from, TimeFromProto(request.from(), "from"));
  }
  absl::Time to = from + absl::Hours(24 * 7 * 8);
  if (request.has_to()) {
    ASSIGN_OR_RETURN(to, TimeFromProto(request.to(), "to"));
  }
  if (to <= from) return Invalid("to", "must lie after from");
  if (to - from > absl::Hours(24 * 366)) return Invalid("to", "at most a year after from");
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, 100, 500, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  using Meetings = std::vector<v1::Meeting>;
  ASSIGN_OR_RETURN(Meetings meetings,
                   store_->MeetingsBetween(caller.tenant, from, to,
                                           request.kind() == v1::CASE_KIND_UNSPECIFIED
                                               ? std::nullopt
                                               : std::optional<v1::CaseKind>(request.kind()),
                                           after, paging.size + 1, caller.deadline));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  v1::ListMeetingsResponse response;
  // Cut before filtering: the page's position is that of the rows read, so a
  // page may hold fewer meetings than page_size (those the caller may not see
  // are left out), and the next page starts where this one's reading ended.
  for (v1::Meeting& m : meetings) m.clear_items();  // a list holds no agendas
  response.set_next_page_token(CutPage(
      meetings, paging, [](const v1::Meeting& last) { return TimeIdPosition(last.starts_at(), last.meeting_id()); }));
  for (v1::Meeting& m : meetings) {
    bool coordinates = caller.Has(Role::kCoordinator) && scope.contains(m.area().area_id());
    bool takes_part = caller.Has(Role::kPartner) &&
                      std::find(m.participating_organisations().begin(), m.participating_organisations().end(),
                                caller.organisation) != m.participating_organisations().end();
    if (!coordinates && !takes_part) continue;
    *response.add_meetings() = std::move(m);
  }
  audit.SetResultCount(response.meetings_size());
  return response;
}

absl::StatusOr<v1::ScheduleMeetingsResponse> CaseCoordination::ScheduleMeetings(
    const RequestContext& caller, v1::ScheduleMeetingsRequest request, AuditRecord& audit) {
  if (request.kind() == v1::CASE_KIND_UNSPECIFIED || !v1::CaseKind_IsValid(request.kind())) {
    return Invalid("kind", "is required: LEEFBAARHEID or CASUISTIEK");
  }
  RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
  if (!request.has_starts_at()) return Invalid("starts_at", "is required");
  ASSIGN_OR_RETURN(absl::Time starts, TimeFromProto(request.starts_at(), "starts_at"));
  if (request.chair().empty()) request.set_chair(caller.user);
  RETURN_IF_ERROR(CheckId("chair", request.chair()));
  RETURN_IF_ERROR(CheckIds("participating_organisations", request.participating_organisations()));
  int weeks = request.weeks() == 0 ? 1 : request.weeks();
  if (weeks < 1 || weeks > 52) return Invalid("weeks", "must be 1 to 52");
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  if (!scope.contains(request.area_id())) return absl::PermissionDeniedError("area_id: not one of your areas");
  v1::ScheduleMeetingsResponse response;
  std::vector<v1::Meeting> meetings;
  absl::TimeZone zone = TenantZone();
  for (int week = 0; week < weeks; ++week) {
    v1::Meeting& m = meetings.emplace_back();
    m.set_meeting_id(RandomUuid());
    m.set_kind(request.kind());
    m.mutable_area()->set_area_id(request.area_id());
    // The same local time every week, across daylight saving changes.
    absl::CivilSecond local = absl::ToCivilSecond(starts, zone);
    *m.mutable_starts_at() = TimeToProto(absl::FromCivil(absl::CivilSecond(local.year(), local.month(),
                                                                           local.day() + 7 * week, local.hour(),
                                                                           local.minute(), local.second()),
                                                         zone));
    m.set_chair(request.chair());
    *m.mutable_participating_organisations() = request.participating_organisations();
    m.set_status(v1::MEETING_STATUS_SCHEDULED);
  }
  audit.SetObjectId(meetings.front().meeting_id());
  RETURN_IF_ERROR(store_->InsertMeetings(caller, meetings, audit));
  for (v1::Meeting& m : meetings) *response.add_meetings() = std::move(m);
  return response;
}

absl::StatusOr<v1::Meeting> CaseCoordination::VisibleMeeting(const RequestContext& caller,
                                                             const std::string& meeting_id, AuditRecord& audit,
                                                             std::map<std::string, v1::Case>* cases) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  if (!IsUuid(meeting_id)) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(meeting_id);
  ASSIGN_OR_RETURN(std::optional<v1::Meeting> meeting, store_->FindMeeting(caller.tenant, meeting_id, caller.deadline));
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  bool coordinates = meeting && caller.Has(Role::kCoordinator) && scope.contains(meeting->area().area_id());
  bool takes_part = meeting && caller.Has(Role::kPartner) &&
                    std::find(meeting->participating_organisations().begin(),
                              meeting->participating_organisations().end(),
                              caller.organisation) != meeting->participating_organisations().end();
  if (!coordinates && !takes_part) {
    if (meeting) audit.MarkDenied();
    return absl::NotFoundError("meeting not found");
  }
  // Only the items of cases the caller may see.
  std::vector<std::string> ids;
  for (const v1::AgendaItem& item : meeting->items()) ids.push_back(item.case_id());
  using CasesById = std::map<std::string, v1::Case>;
  ASSIGN_OR_RETURN(CasesById item_cases, store_->FindCases(caller.tenant, ids, caller.deadline));
  google::protobuf::RepeatedPtrField<v1::AgendaItem> visible;
  for (v1::AgendaItem& item : *meeting->mutable_items()) {
    auto c = item_cases.find(item.case_id());
    if (c == item_cases.end() || !MaySeeCase(caller, scope, c->second)) continue;
    if (cases != nullptr) (*cases)[c->first] = c->second;
    *visible.Add() = std::move(item);
  }
  *meeting->mutable_items() = std::move(visible);
  google::protobuf::RepeatedPtrField<v1::MinutesCorrection> corrections;
  for (v1::MinutesCorrection& correction : *meeting->mutable_corrections()) {
    bool on_visible_item = std::any_of(meeting->items().begin(), meeting->items().end(),
                                       [&](const v1::AgendaItem& i) { return i.item_id() == correction.item_id(); });
    if (correction.item_id().empty() || on_visible_item) *corrections.Add() = std::move(correction);
  }
  *meeting->mutable_corrections() = std::move(corrections);
  audit.SetResultCount(meeting->items_size());
  return *std::move(meeting);
}

absl::StatusOr<v1::Meeting> CaseCoordination::GetMeeting(const RequestContext& caller,
                                                         const v1::GetMeetingRequest& request, AuditRecord& audit) {
  return VisibleMeeting(caller, request.meeting_id(), audit, nullptr);
}

absl::StatusOr<v1::MeetingDocument> CaseCoordination::ExportMeeting(const RequestContext& caller,
                                                                   const v1::ExportMeetingRequest& request,
                                                                   AuditRecord& audit) {
  if (request.format() == v1::DOCUMENT_FORMAT_UNSPECIFIED || !v1::DocumentFormat_IsValid(request.format())) {
    return Invalid("format", "is required: MARKDOWN or HTML");
  }
  std::map<std::string, v1::Case> cases;
  ASSIGN_OR_RETURN(v1::Meeting meeting, VisibleMeeting(caller, request.meeting_id(), audit, &cases));
  return MeetingDocument(meeting, cases, request.format(), TenantZone());
}

absl::StatusOr<v1::Meeting> CaseCoordination::ChangeMeeting(const RequestContext& caller,
                                                            const std::string& meeting_id,
                                                            const CaseStore::MeetingChange& change,
                                                            AuditRecord& audit, const std::string& case_id,
                                                            const CaseStore::Change& on_case,
                                                            std::vector<v1::Action> new_actions, bool closed_minutes) {
  if (!IsUuid(meeting_id)) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(meeting_id);
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  bool refused = false;
  absl::StatusOr<v1::Meeting> changed = store_->ModifyMeeting(
      caller, meeting_id,
      [&](v1::Meeting& m) -> absl::Status {
        if (!scope.contains(m.area().area_id())) {
          refused = true;
          return absl::NotFoundError("meeting not found");
        }
        bool closed = m.status() == v1::MEETING_STATUS_CLOSED;
        if (closed && !closed_minutes) {
          return absl::FailedPreconditionError(
              "meeting_id: the meeting is closed; its minutes are fixed (add a correction instead)");
        }
        if (!closed && closed_minutes) {
          return absl::FailedPreconditionError("meeting_id: the meeting is open; change its agenda or decision");
        }
        return change(m);
      },
      case_id, on_case, new_actions, audit);
  if (refused) audit.MarkDenied();
  if (changed.ok() && !new_actions.empty() && doorbell_ != nullptr) doorbell_->Ring();
  return changed;
}

absl::StatusOr<v1::Meeting> CaseCoordination::EditAgenda(const RequestContext& caller,
                                                         const v1::EditAgendaRequest& request, AuditRecord& audit) {
  using Edit = v1::EditAgendaRequest;
  if (request.edit() == Edit::EDIT_UNSPECIFIED || !Edit::Edit_IsValid(request.edit())) {
    return Invalid("edit", "is required: GENERATE, ADD, REMOVE or MOVE");
  }
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  ASSIGN_OR_RETURN(std::optional<v1::Meeting> current,
                   IsUuid(request.meeting_id()) ? store_->FindMeeting(caller.tenant, request.meeting_id(), caller.deadline)
                                                : absl::StatusOr<std::optional<v1::Meeting>>(std::nullopt));
  // The cases that could go on: found before the meeting is locked.
  std::vector<std::pair<v1::Case, std::vector<v1::AgendaReason>>> candidates;
  if (current && request.edit() == Edit::EDIT_GENERATE) {
    ASSIGN_OR_RETURN(std::set<std::string> areas,
                     store_->AreasWithin(caller.tenant, {current->area().area_id()}, caller.deadline));
    ASSIGN_OR_RETURN(std::vector<v1::Case> cases,
                     store_->OpenCasesIn(caller.tenant, current->kind(), {areas.begin(), areas.end()}, caller.deadline));
    std::erase_if(cases, [&](const v1::Case& c) { return !MaySeeCase(caller, scope, c); });
    std::vector<std::string> ids;
    for (const v1::Case& c : cases) ids.push_back(c.case_id());
    // Only open actions give agenda reasons (overdue, or none left open).
    ActionQuery open_actions;
    open_actions.tenant = caller.tenant;
    open_actions.case_ids = ids;
    open_actions.statuses = {v1::ACTION_STATUS_OPEN, v1::ACTION_STATUS_IN_PROGRESS};
    ASSIGN_OR_RETURN(std::vector<v1::Action> all_actions, store_->Actions(open_actions, caller.deadline));
    std::map<std::string, std::vector<v1::Action>> actions_of;
    for (v1::Action& a : all_actions) actions_of[a.case_id()].push_back(std::move(a));
    absl::Time at = absl::FromUnixSeconds(current->starts_at().seconds());
    for (v1::Case& c : cases) {
      std::vector<v1::AgendaReason> reasons = AgendaReasons(c, actions_of[c.case_id()], at, TenantZone());
      if (!reasons.empty()) candidates.emplace_back(std::move(c), std::move(reasons));
    }
  }
  std::optional<v1::Case> added;
  if (request.edit() == Edit::EDIT_ADD) {
    if (!IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");
    ASSIGN_OR_RETURN(added, store_->Find(caller.tenant, request.case_id(), "", caller.deadline));
    if (!added || !MaySeeCase(caller, scope, *added)) return absl::NotFoundError("case_id: case not found");
  }
  auto on_agenda = [](const v1::Meeting& m, const std::string& case_id) {
    return std::any_of(m.items().begin(), m.items().end(),
                       [&](const v1::AgendaItem& item) { return item.case_id() == case_id; });
  };
  auto item_for = [](const v1::Case& c) {
    v1::AgendaItem item;
    item.set_item_id(RandomUuid());
    item.set_case_id(c.case_id());
    item.set_case_reference(c.reference());
    item.set_case_title(c.title());
    return item;
  };
  return ChangeMeeting(caller, request.meeting_id(), [&](v1::Meeting& m) -> absl::Status {
    switch (request.edit()) {
      case Edit::EDIT_GENERATE:
        for (const auto& [c, reasons] : candidates) {
          if (on_agenda(m, c.case_id())) continue;
          v1::AgendaItem item = item_for(c);
          for (v1::AgendaReason r : reasons) item.add_reasons(r);
          *m.add_items() = std::move(item);
        }
        return absl::OkStatus();
      case Edit::EDIT_ADD: {
        if (added->kind() != m.kind()) return absl::FailedPreconditionError("case_id: the case belongs to the other meeting");
        if (on_agenda(m, added->case_id())) return absl::AlreadyExistsError("case_id: already on the agenda");
        v1::AgendaItem item = item_for(*added);
        item.add_reasons(v1::AGENDA_REASON_ADDED);
        *m.add_items() = std::move(item);
        return absl::OkStatus();
      }
      case Edit::EDIT_REMOVE:
      case Edit::EDIT_MOVE: {
        auto* items = m.mutable_items();
        auto it = std::find_if(items->begin(), items->end(),
                               [&](const v1::AgendaItem& i) { return i.item_id() == request.item_id(); });
        if (it == items->end()) return absl::NotFoundError("item_id: not on this agenda");
        int from = static_cast<int>(it - items->begin());
        if (request.edit() == Edit::EDIT_REMOVE) {
          items->erase(it);
          return absl::OkStatus();
        }
        if (request.position() < 0 || request.position() >= items->size()) {
          return Invalid("position", absl::StrCat("must be 0 to ", items->size() - 1));
        }
        for (int i = from; i < request.position(); ++i) items->SwapElements(i, i + 1);
        for (int i = from; i > request.position(); --i) items->SwapElements(i, i - 1);
        return absl::OkStatus();
      }
      default:
        return Invalid("edit", "is not a known edit");
    }
  }, audit);
}

absl::StatusOr<v1::Meeting> CaseCoordination::DecideItem(const RequestContext& caller, v1::DecideItemRequest request,
                                                         AuditRecord& audit) {
  RETURN_IF_ERROR(CheckText("decision", *request.mutable_decision(), 1, 2000, true));
  RETURN_IF_ERROR(CheckText("rationale", *request.mutable_rationale(), 0, 2000, true));
  std::optional<absl::Time> next_review;
  if (!request.next_review_date().empty()) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(request.next_review_date(), &day)) {
      return Invalid("next_review_date", "must be a date as YYYY-MM-DD");
    }
    next_review = absl::FromCivil(day, TenantZone());
  }
  RETURN_IF_ERROR(CheckRisk(request.risk_tier(), *request.mutable_risk_reason()));
  ASSIGN_OR_RETURN(std::optional<v1::Meeting> current,
                   IsUuid(request.meeting_id()) ? store_->FindMeeting(caller.tenant, request.meeting_id(), caller.deadline)
                                                : absl::StatusOr<std::optional<v1::Meeting>>(std::nullopt));
  std::string case_id;
  std::string case_reference;
  if (current) {
    for (const auto& item : current->items()) {
      if (item.item_id() == request.item_id()) {
        case_id = item.case_id();
        case_reference = item.case_reference();
      }
    }
    if (case_id.empty()) return absl::NotFoundError("item_id: not on this agenda");
  }
  if (request.actions_size() > 20) return Invalid("actions", "at most 20 per decision");
  std::vector<v1::Action> actions;
  for (int i = 0; i < request.actions_size(); ++i) {
    std::string prefix = absl::StrCat("actions[", i, "].");
    if (!request.actions(i).case_id().empty()) return Invalid(prefix + "case_id", "is the item's case; leave it empty");
    ASSIGN_OR_RETURN(v1::Action action, NewAction(caller, *request.mutable_actions(i), prefix, case_id));
    action.set_case_reference(case_reference);
    actions.push_back(std::move(action));
  }
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  return ChangeMeeting(
      caller, request.meeting_id(),
      [&](v1::Meeting& m) -> absl::Status {
        for (auto& item : *m.mutable_items()) {
          if (item.item_id() != request.item_id()) continue;
          item.set_decision(request.decision());
          item.set_rationale(request.rationale());
          for (const v1::Action& action : actions) *item.add_actions() = action;
          return absl::OkStatus();
        }
        return absl::NotFoundError("item_id: not on this agenda");
      },
      audit, case_id,
      [&](v1::Case& c) -> absl::StatusOr<std::optional<StatusStep>> {
        if (!MaySeeCase(caller, scope, c)) return absl::NotFoundError("case not found");
        if (!actions.empty() && c.status() == v1::CASE_STATUS_CLOSED) {
          return absl::FailedPreconditionError("actions: the case is closed");
        }
        AddSubjects(c, audit);
        if (request.risk_tier() != v1::RISK_TIER_UNSPECIFIED) ApplyRisk(c, request.risk_tier(), request.risk_reason());
        if (next_review) *c.mutable_next_review_at() = TimeToProto(*next_review);
        for (const v1::Action& action : actions) JoinCase(c, action);
        return std::optional<StatusStep>();
      },
      actions);
}

absl::StatusOr<v1::Meeting> CaseCoordination::CorrectMinutes(const RequestContext& caller,
                                                             v1::CorrectMinutesRequest request, AuditRecord& audit) {
  RETURN_IF_ERROR(CheckText("text", *request.mutable_text(), 1, 2000, true));
  return ChangeMeeting(
      caller, request.meeting_id(),
      [&](v1::Meeting& m) -> absl::Status {
        if (!request.item_id().empty() &&
            std::none_of(m.items().begin(), m.items().end(),
                         [&](const v1::AgendaItem& i) { return i.item_id() == request.item_id(); })) {
          return absl::NotFoundError("item_id: not in these minutes");
        }
        v1::MinutesCorrection& correction = *m.add_corrections();
        correction.set_correction_id(RandomUuid());
        correction.set_item_id(request.item_id());
        correction.set_text(request.text());
        correction.mutable_author()->set_user_id(caller.user);
        correction.mutable_author()->set_organisation_id(caller.organisation);
        correction.mutable_author()->set_organisation_kind(caller.organisation_kind);
        *correction.mutable_at() = TimeToProto(absl::Now());
        return absl::OkStatus();
      },
      audit, "", {}, {}, /*closed_minutes=*/true);
}

absl::StatusOr<v1::Meeting> CaseCoordination::CloseMeeting(const RequestContext& caller,
                                                           const v1::CloseMeetingRequest& request,
                                                           AuditRecord& audit) {
  return ChangeMeeting(caller, request.meeting_id(), [](v1::Meeting& m) -> absl::Status {
    m.set_status(v1::MEETING_STATUS_CLOSED);
    *m.mutable_closed_at() = TimeToProto(absl::Now());
    return absl::OkStatus();
  }, audit);
}

}  // namespace hartslag::cases
