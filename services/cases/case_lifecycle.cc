#include "services/cases/case_lifecycle.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/cases/case_rules.h"
#include "services/common/page_token.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/update_mask.h"
#include "services/common/validation.h"

namespace hartslag::cases {
namespace {

constexpr int kMaxPersons = 20;
constexpr int kDefaultNotesPage = 50;
constexpr int kMaxNotesPage = 200;
// Status changes in a case summary; the audit log holds all.
constexpr int kMaxHistory = 200;

// "Herbeoordeling nodig": an open case whose next review has come, by the
// service's clock (the browser's may be wrong), as AgendaReasons decides
// REVIEW_DUE and ListCases' review_due_only filters.
bool ReviewDue(const v1::Case& c, absl::Time now) {
  return c.status() != v1::CASE_STATUS_CLOSED && c.has_next_review_at() &&
         absl::FromUnixSeconds(c.next_review_at().seconds()) <= now;
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

}  // namespace

absl::StatusOr<v1::Case> CaseLifecycle::Open(const RequestContext& caller, v1::OpenCaseRequest request,
                                             AuditRecord& audit) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  if (request.kind() == v1::CASE_KIND_UNSPECIFIED || !v1::CaseKind_IsValid(request.kind())) {
    return Invalid("kind", "is required: LEEFBAARHEID or CASUISTIEK");
  }
  RETURN_IF_ERROR(CheckText("title", *request.mutable_title(), 1, 200));
  RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
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
  v1::Case opened;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(opened, data_->once.Run<v1::Case>(tx, caller, "OpenCase", request,
                                                       [&]() -> absl::StatusOr<v1::Case> {
      v1::Case stored = c;
      RETURN_IF_ERROR(data_->cases.Insert(tx, caller, stored));
      RETURN_IF_ERROR(RecordCaseState(*data_, tx, caller.tenant, stored));
      return stored;
    }));
    audit.SetObjectId(opened.case_id());
    return absl::OkStatus();
  }));
  return opened;
}

absl::StatusOr<v1::CaseSummary> CaseLifecycle::Get(const RequestContext& caller, const v1::GetCaseRequest& request,
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
  std::string break_glass_reason = request.break_glass_reason();
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  std::optional<v1::Case> c;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(c, data_->cases.Find(tx, caller.tenant, id, reference));
    return absl::OkStatus();
  }));
  if (c) audit.SetObjectId(c->case_id());
  bool visible = c && MaySeeCase(caller, scope, *c);
  if (c && !visible && !break_glass_reason.empty()) {
    RETURN_IF_ERROR(CheckText("break_glass_reason", break_glass_reason, 10, 500, true));
  }
  if (c && !visible && !break_glass_reason.empty() && MayBreakGlass(caller, scope, *c)) {
    audit.MarkBreakGlass();
    AddSubjects(*c, audit);
    RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) {
      return data_->cases.InsertBreakGlass(tx, caller, c->case_id(), break_glass_reason);
    }));
    visible = true;
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
  std::pair<std::vector<v1::StatusChange>, int> history;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(history, data_->cases.History(tx, caller.tenant, c->case_id(), kMaxHistory));
    return absl::OkStatus();
  }));
  // The newest changes that fit in 1 MiB, oldest first.
  size_t first = history.first.size(), bytes = 0;
  while (first > 0 && (bytes += history.first[first - 1].ByteSizeLong()) <= kMaxPageBytes / 2) --first;
  for (size_t i = first; i < history.first.size(); ++i) *summary.add_history() = std::move(history.first[i]);
  summary.set_earlier_history_omitted(history.second - summary.history_size());
  AddSubjects(*c, audit);
  summary.set_review_due(ReviewDue(*c, absl::Now()));
  *summary.mutable_case_() = *std::move(c);
  return summary;
}

absl::StatusOr<v1::ListCasesResponse> CaseLifecycle::List(const RequestContext& caller,
                                                          const v1::ListCasesRequest& request, AuditRecord& audit) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 2));
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  CaseQuery query;
  query.tenant = caller.tenant;
  query.filter = CaseFilterFor(caller, scope);
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
                     data_->areas.Within(*data_->pool, caller.tenant, {request.area_id()}, caller.deadline));
    query.areas = std::vector<std::string>(within.begin(), within.end());
  }
  if (request.risk_tier() != v1::RISK_TIER_UNSPECIFIED) {
    if (!v1::RiskTier_IsValid(request.risk_tier())) return Invalid("risk_tier", "is not a known risk tier");
    query.risk_tier = request.risk_tier();
  }
  const absl::Time now = absl::Now();
  if (request.review_due_only()) query.review_due_at = now;
  ASSIGN_OR_RETURN(query.after, AfterTimeId(paging));
  std::vector<v1::Case> cases;
  std::set<std::string> overdue;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    // Overdue as ListActions counts it: due before the municipality's today.
    ASSIGN_OR_RETURN(absl::TimeZone zone, data_->ZoneOf(tx, caller.tenant));
    absl::CivilDay today = Today(zone);
    if (request.overdue_actions_only()) query.overdue_before = today;
    ASSIGN_OR_RETURN(cases, data_->cases.List(tx, query));
    std::vector<std::string> ids;
    for (size_t i = 0; i < cases.size() && i < static_cast<size_t>(paging.size); ++i) ids.push_back(cases[i].case_id());
    ASSIGN_OR_RETURN(overdue, data_->cases.WithOverdueActions(tx, caller.tenant, ids, today));
    return absl::OkStatus();
  }));
  v1::ListCasesResponse response;
  response.set_next_page_token(
      CutPage(cases, paging, [](const v1::Case& last) { return TimeIdPosition(last.updated_at(), last.case_id()); }));
  for (const v1::Case& c : cases) {
    if (!MaySeeCase(caller, scope, c)) continue;  // the filter and MaySeeCase agree (a test shows it); defence in depth
    v1::CaseListItem& item = *response.add_cases() = ListItem(c);
    item.set_has_overdue_actions(overdue.contains(c.case_id()));
    item.set_review_due(ReviewDue(c, now));
    *item.mutable_signal_ids() = c.signal_ids();
    if (c.has_address()) audit.AddAddress(c.address());  // the list shows the case's street and title
  }
  audit.SetResultCount(response.cases_size());
  return response;
}

absl::StatusOr<v1::Case> CaseLifecycle::Steer(const RequestContext& caller, const std::string& case_id,
                                              const Change& change, AuditRecord& audit) {
  if (!IsUuid(case_id)) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(case_id);
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Case changed;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<v1::Case> c, data_->cases.Lock(tx, caller.tenant, case_id));
    if (!c || !MaySeeCase(caller, scope, *c)) {
      if (c) audit.MarkDenied();
      return absl::NotFoundError("case not found");
    }
    AddSubjects(*c, audit);
    ASSIGN_OR_RETURN(std::optional<StatusStep> step, change(*c));
    RETURN_IF_ERROR(data_->cases.Save(tx, caller, *c, step));
    if (step && ClosesOrReopens(step->from, step->to)) RETURN_IF_ERROR(RecordCaseState(*data_, tx, caller.tenant, *c));
    changed = *std::move(c);
    return absl::OkStatus();
  }));
  return changed;
}

absl::StatusOr<v1::Case> CaseLifecycle::Transition(const RequestContext& caller,
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

absl::StatusOr<v1::Case> CaseLifecycle::Reopen(const RequestContext& caller,
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

absl::StatusOr<v1::Case> CaseLifecycle::Update(const RequestContext& caller,
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

absl::StatusOr<v1::Note> CaseLifecycle::AddNote(const RequestContext& caller, v1::AddNoteRequest request,
                                                AuditRecord& audit) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  if (!IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(request.case_id());
  if (request.visibility() == v1::NOTE_VISIBILITY_UNSPECIFIED ||
      !v1::NoteVisibility_IsValid(request.visibility())) {
    return Invalid("visibility", "is required: PARTICIPANTS, COORDINATION, CARE or POLICE");
  }
  RETURN_IF_ERROR(CheckText("text", *request.mutable_text(), 1, 5000, true));
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Note added;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<v1::Case> c, data_->cases.Find(tx, caller.tenant, request.case_id(), ""));
    if (!c || !MaySeeCase(caller, scope, *c)) {
      if (c) audit.MarkDenied();
      return absl::NotFoundError("case not found");
    }
    if (!MayWriteNote(caller, request.visibility())) {
      return absl::PermissionDeniedError("visibility: your organisation cannot write notes for that audience");
    }
    AddSubjects(*c, audit);
    ASSIGN_OR_RETURN(added, data_->once.Run<v1::Note>(tx, caller, "AddNote", request, [&]() -> absl::StatusOr<v1::Note> {
      v1::Note note;
      note.set_visibility(request.visibility());
      note.set_text(request.text());
      RETURN_IF_ERROR(data_->cases.InsertNote(tx, caller, request.case_id(), note));
      return note;
    }));
    return absl::OkStatus();
  }));
  return added;
}

absl::StatusOr<v1::ListNotesResponse> CaseLifecycle::NotesPage(const RequestContext& caller,
                                                               const v1::ListNotesRequest& request) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultNotesPage, kMaxNotesPage, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  std::vector<v1::Note> notes;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(notes, data_->cases.Notes(tx, caller.tenant, request.case_id(), ReadableNotes(caller), after,
                                               paging.size + 1));
    return absl::OkStatus();
  }));
  v1::ListNotesResponse response;
  response.set_next_page_token(
      CutPage(notes, paging, [](const v1::Note& last) { return TimeIdPosition(last.written_at(), last.note_id()); }));
  for (v1::Note& note : notes) *response.add_notes() = std::move(note);
  return response;
}

absl::StatusOr<v1::ListNotesResponse> CaseLifecycle::ListNotes(const RequestContext& caller,
                                                               const v1::ListNotesRequest& request,
                                                               AuditRecord& audit) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  RETURN_IF_ERROR(RequireVisibleCase(*data_, caller, request.case_id(), audit));
  ASSIGN_OR_RETURN(v1::ListNotesResponse response, NotesPage(caller, request));
  audit.SetResultCount(response.notes_size());
  return response;
}

absl::StatusOr<v1::ListBreakGlassReviewsResponse> CaseLifecycle::BreakGlassReviews(
    const RequestContext& caller, const v1::ListBreakGlassReviewsRequest& request, AuditRecord& audit) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, 100, 500, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  std::vector<v1::BreakGlassReview> reviews;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(reviews, data_->cases.BreakGlassReviews(tx, caller.tenant, after, paging.size + 1, request.open_only()));
    return absl::OkStatus();
  }));
  v1::ListBreakGlassReviewsResponse response;
  response.set_next_page_token(CutPage(
      reviews, paging, [](const v1::BreakGlassReview& last) { return TimeIdPosition(last.at(), last.review_id()); }));
  for (v1::BreakGlassReview& r : reviews) *response.add_reviews() = std::move(r);
  audit.SetResultCount(response.reviews_size());
  return response;
}

absl::StatusOr<v1::BreakGlassReview> CaseLifecycle::CompleteBreakGlassReview(
    const RequestContext& caller, v1::CompleteBreakGlassReviewRequest request, AuditRecord& audit) {
  if (!IsUuid(request.review_id())) return Invalid("review_id", "must be a UUID");
  audit.SetObjectId(request.review_id());
  RETURN_IF_ERROR(CheckText("finding", *request.mutable_finding(), 1, 2000, true));
  if (request.judgement() != v1::JUDGEMENT_JUSTIFIED && request.judgement() != v1::JUDGEMENT_NOT_JUSTIFIED) {
    return Invalid("judgement", "is required: JUSTIFIED or NOT_JUSTIFIED");
  }
  v1::BreakGlassReview completed;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<v1::BreakGlassReview> review,
                     data_->cases.LockBreakGlassReview(tx, caller.tenant, request.review_id()));
    if (!review) return absl::NotFoundError("break-the-glass review not found");
    // Nobody judges their own access: a privacy officer who broke the glass
    // leaves the review to a colleague.
    if (review->actor().user_id() == caller.user) {
      return absl::PermissionDeniedError("review_id: this is your own break-the-glass access; a colleague reviews it");
    }
    // A finding is the officer's judgement at the time; changing it later
    // would rewrite the record of the review, so it is given once.
    if (review->has_completed_at()) {
      return absl::FailedPreconditionError("review_id: this review has already been completed");
    }
    const absl::Time now = absl::Now();
    review->set_finding(request.finding());
    review->set_judgement(request.judgement());
    review->set_completed_by(caller.user);
    *review->mutable_completed_at() = TimeToProto(now);
    RETURN_IF_ERROR(data_->cases.CompleteBreakGlassReview(tx, caller.tenant, *review, now));
    completed = *std::move(review);
    return absl::OkStatus();
  }));
  return completed;
}

}  // namespace hartslag::cases
