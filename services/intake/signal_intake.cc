#include "services/intake/signal_intake.h"

#include "services/common/request_bounds.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"
#include "services/common/proto_bytes.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/validation.h"
#include "services/intake/signal_access.h"
#include "services/common/reference.h"
#include "services/intake/category_rules.h"
#include "services/intake/signal_validation.h"

namespace hartslag::intake {
namespace {

absl::Status CheckOutcome(v1::TriageOutcome& o) {
  RETURN_IF_ERROR(CheckRequestBounds(o));
  if (!IsUuid(o.event_id())) return Invalid("event_id", "must be a UUID");
  RETURN_IF_ERROR(CheckId("tenant_id", o.tenant_id()));
  if (!IsUuid(o.signal_id())) return Invalid("signal_id", "must be a UUID");
  if (o.status() != v1::SIGNAL_STATUS_ACCEPTED && o.status() != v1::SIGNAL_STATUS_REFERRED &&
      o.status() != v1::SIGNAL_STATUS_NO_ACTION) {
    return Invalid("status", "must be ACCEPTED, REFERRED or NO_ACTION");
  }
  if (!o.case_id().empty() && !IsUuid(o.case_id())) return Invalid("case_id", "must be a UUID");
  if (o.has_decided_at()) RETURN_IF_ERROR(TimeFromProto(o.decided_at(), "decided_at").status());
  return CheckText("feedback", *o.mutable_feedback(), 0, 500);
}

absl::Status CheckCaseState(v1::CaseState& state) {
  RETURN_IF_ERROR(CheckRequestBounds(state));
  if (!IsUuid(state.event_id())) return Invalid("event_id", "must be a UUID");
  RETURN_IF_ERROR(CheckId("tenant_id", state.tenant_id()));
  if (!IsUuid(state.case_id())) return Invalid("case_id", "must be a UUID");
  if (!state.has_changed_at()) return Invalid("changed_at", "is required");
  for (int i = 0; i < state.signal_ids_size(); ++i) {
    if (!IsUuid(state.signal_ids(i))) return Invalid(absl::StrCat("signal_ids[", i, "]"), "must be a UUID");
  }
  return TimeFromProto(state.changed_at(), "changed_at").status();
}


absl::StatusOr<std::optional<absl::Time>> OptionalTime(const google::protobuf::Timestamp& ts,
                                                       bool present, absl::string_view field) {
  if (!present) return std::nullopt;
  return TimeFromProto(ts, field);
}

// The persons and the address in a signal (or a submission), as far as they
// are filled in: what the audit record says the data was about.
template <typename SignalLike>
void AddSubjects(const SignalLike& signal, AuditRecord& audit) {
  if (signal.has_location()) audit.AddAddress(signal.location().address());
  for (const v1::Person& person : signal.persons()) audit.AddPerson(person.name(), person.birth_year());
}

// The category `request` names among `active`, with its answers checked
// into `errors`. Null when it is not among them (SubmitOneByOne refuses it,
// naming category_id).
const v1::Category* CheckCategory(const std::vector<v1::Category>& active, v1::SubmitSignalRequest& request,
                                  FieldErrors& errors) {
  const v1::Category* category = nullptr;
  bool has_subcategories = false;
  for (const v1::Category& c : active) {
    if (c.category_id() == request.category_id()) category = &c;
    if (c.parent_category_id() == request.category_id() && !request.category_id().empty()) has_subcategories = true;
  }
  if (has_subcategories) {
    errors.Add(Invalid("category_id", "is a main category; choose one of its subcategories"));
  } else if (category != nullptr) {
    CheckAnswers(*category, *request.mutable_answers(), errors);
  }
  return category;
}

}  // namespace

absl::StatusOr<std::set<std::string>> SignalIntake::CoordinatorScope(const RequestContext& caller) {
  if (!caller.Has(Role::kCoordinator)) return std::set<std::string>();
  return store_->AreasWithin(caller.tenant, caller.areas, caller.deadline);
}

absl::StatusOr<v1::SubmitSignalResponse> SignalIntake::Submit(const RequestContext& caller,
                                                              v1::SubmitSignalRequest request,
                                                              AuditRecord& audit) {
  const absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(std::shared_ptr<const TenantReference> tenant, reference_.Get(caller.tenant, caller.deadline));
  if (tenant != nullptr) {
    if (std::optional<BatchedCall> batched = PrepareBatched(caller, request, now, tenant, audit)) {
      // A batch that failed as a whole leaves its submissions to the
      // one-by-one way, which decides each on fresh data and answers exactly.
      const BatchedSubmission item = batched->item();
      absl::StatusOr<std::optional<v1::Signal>> stored = batcher_.Submit(item, caller.deadline);
      if (stored.ok() && stored->has_value()) {
        audit = std::move(batched->record);
        v1::SubmitSignalResponse response;
        *response.mutable_signal() = **std::move(stored);
        return response;
      }
    }
  }
  return Decide(caller, std::move(request), now, tenant.get(), audit);
}

bool SignalIntake::SubmitBatchedThen(const RequestContext& caller, const v1::SubmitSignalRequest& request,
                                     AuditRecord& audit, std::function<void(std::optional<v1::Signal>)> then) {
  std::shared_ptr<const TenantReference> tenant = reference_.Held(caller.tenant);
  if (tenant == nullptr) return false;
  std::optional<BatchedCall> prepared = PrepareBatched(caller, request, absl::Now(), std::move(tenant), audit);
  if (!prepared) return false;
  // Owned by the answer's callback, which the batch calls once it has ended.
  struct Queued {
    BatchedCall call;
    BatchedSubmission item;
  };
  auto queued = std::make_shared<Queued>(Queued{*std::move(prepared), {}});
  queued->item = queued->call.item();
  return batcher_.SubmitThen(queued->item, caller.deadline,
                             [queued, &audit, then = std::move(then)](absl::StatusOr<std::optional<v1::Signal>> stored) {
                               if (!stored.ok() || !stored->has_value()) return then(std::nullopt);
                               audit = std::move(queued->call.record);
                               then(**std::move(stored));
                             });
}

absl::StatusOr<v1::SubmitSignalResponse> SignalIntake::SubmitLeftOut(const RequestContext& caller,
                                                                     v1::SubmitSignalRequest request,
                                                                     AuditRecord& audit) {
  ASSIGN_OR_RETURN(std::shared_ptr<const TenantReference> tenant, reference_.Get(caller.tenant, caller.deadline));
  return Decide(caller, std::move(request), absl::Now(), tenant.get(), audit);
}

absl::StatusOr<v1::SubmitSignalResponse> SignalIntake::Decide(const RequestContext& caller,
                                                              v1::SubmitSignalRequest request, absl::Time now,
                                                              const TenantReference* tenant, AuditRecord& audit) {
  absl::StatusOr<v1::SubmitSignalResponse> response = SubmitOneByOne(caller, std::move(request), now, tenant, audit);
  // A new signal the batch's way did not take: the data held for the tenant
  // was older than the database's.
  if (tenant != nullptr && response.ok() && !response->replayed()) reference_.Invalidate(caller.tenant);
  return response;
}

std::optional<SignalIntake::BatchedCall> SignalIntake::PrepareBatched(
    const RequestContext& caller, const v1::SubmitSignalRequest& request, absl::Time now,
    std::shared_ptr<const TenantReference> tenant, const AuditRecord& audit) {
  BatchedCall batched{&caller, {}, std::move(tenant), nullptr, {}};
  Submission& submission = batched.submission;
  submission.request = request;
  if (!ValidateAndNormalise(submission.request, now).ok()) return std::nullopt;
  if (!batched.tenant->area_ids.contains(submission.request.area_id())) return std::nullopt;
  FieldErrors errors;
  batched.category = CheckCategory(batched.tenant->active_categories, submission.request, errors);
  if (batched.category == nullptr || !errors.status().ok()) return std::nullopt;
  submission.fingerprint = Fingerprint(submission.request);
  submission.reported_at = now;
  submission.category_version = batched.category->version();
  LabelAnswers(*batched.category, *submission.request.mutable_answers());
  // The record is the caller's only once the batch stored the signal. It
  // keeps the call's event id: a batch reported failed may yet have committed,
  // and the one-by-one way then replays the signal and writes the record the
  // outbox holds already, not a second one.
  batched.record = audit;
  AddSubjects(submission.request, batched.record);
  return batched;
}

absl::StatusOr<v1::SubmitSignalResponse> SignalIntake::SubmitOneByOne(const RequestContext& caller,
                                                                      v1::SubmitSignalRequest request,
                                                                      absl::Time now, const TenantReference* tenant,
                                                                      AuditRecord& audit) {
  FieldErrors errors;
  errors.Add(ValidateAndNormalise(request, now));
  // A retry is answered by the store as it was first stored, whatever
  // became of the category since.
  ASSIGN_OR_RETURN(bool retry, store_->Submitted(caller, request.request_id()));
  // The answers are checked against the category's questions of this
  // moment. A category that is not active is refused below, or by the store
  // when the data held does not know the tenant or the area.
  std::vector<v1::Category> active;
  if (!retry) {
    ASSIGN_OR_RETURN(active, categories_->List(caller.tenant, /*active_only=*/true, caller.deadline));
  }
  const v1::Category* category = CheckCategory(active, request, errors);
  RETURN_IF_ERROR(errors.status());
  // A category that is not among the active ones just read is refused here,
  // as the store would refuse it, without the store's transaction: a partner
  // system replaying a backlog with a wrong category then costs two reads a
  // submission. Only when the tenant and the area are known, which the store
  // checks first and names instead.
  if (!retry && category == nullptr && tenant != nullptr && tenant->area_ids.contains(request.area_id())) {
    AddSubjects(request, audit);
    return UnknownCategory();
  }
  Submission submission;
  submission.fingerprint = Fingerprint(request);
  submission.reported_at = now;
  if (category != nullptr) {
    submission.category_version = category->version();
    LabelAnswers(*category, *request.mutable_answers());
  }
  submission.request = std::move(request);
  AddSubjects(submission.request, audit);
  ASSIGN_OR_RETURN(SubmitResult result, store_->Submit(caller, submission, audit));
  v1::SubmitSignalResponse response;
  *response.mutable_signal() = std::move(result.signal);
  response.set_replayed(result.replayed);
  return response;
}

absl::StatusOr<v1::Signal> SignalIntake::Get(const RequestContext& caller,
                                             const v1::GetSignalRequest& request,
                                             AuditRecord& audit) {
  std::optional<v1::Signal> signal;
  switch (request.key_case()) {
    case v1::GetSignalRequest::kSignalId: {
      if (!IsUuid(request.signal_id())) {
        return absl::InvalidArgumentError("signal_id: must be a UUID");
      }
      ASSIGN_OR_RETURN(signal, store_->FindById(caller.tenant, request.signal_id(), caller.deadline));
      break;
    }
    case v1::GetSignalRequest::kReference: {
      if (!LooksLikeReference(request.reference())) {
        return absl::InvalidArgumentError("reference: must look like SV-2026-000123");
      }
      ASSIGN_OR_RETURN(signal,
                       store_->FindByReference(caller.tenant, request.reference(), caller.deadline));
      break;
    }
    case v1::GetSignalRequest::KEY_NOT_SET:
      return absl::InvalidArgumentError("signal_id: signal_id or reference is required");
  }
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  SignalView view = signal ? ViewOf(caller, scope, *signal) : SignalView::kNone;
  if (signal) audit.SetObjectId(signal->signal_id());
  // The same answer whether the signal is absent or hidden from this caller;
  // only the audit record tells them apart.
  if (view == SignalView::kNone) {
    if (signal) audit.MarkDenied();
    return absl::NotFoundError("signal not found");
  }
  ApplyView(view, *signal);
  AddSubjects(*signal, audit);
  return *std::move(signal);
}

absl::StatusOr<v1::ListSignalsResponse> SignalIntake::List(const RequestContext& caller,
                                                           const v1::ListSignalsRequest& request,
                                                           AuditRecord& audit) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 2));
  SignalQuery query;
  query.tenant = caller.tenant;
  query.limit = paging.size + 1;  // one extra row tells whether another page follows
  if (caller.Has(Role::kReporter)) query.reporter_organisation = caller.organisation;
  ASSIGN_OR_RETURN(std::set<std::string> scope, CoordinatorScope(caller));
  query.coordinator_areas.assign(scope.begin(), scope.end());

  if (!request.area_id().empty()) {
    if (!IsId(request.area_id())) return absl::InvalidArgumentError("area_id: not a valid area id");
    ASSIGN_OR_RETURN(std::set<std::string> within,
                     store_->AreasWithin(caller.tenant, {request.area_id()}, caller.deadline));
    if (within.empty()) return absl::InvalidArgumentError("area_id: not a known area");
    if (!caller.Has(Role::kReporter) && !scope.contains(request.area_id())) {
      return absl::PermissionDeniedError("area_id: outside your areas");
    }
    query.areas = std::vector<std::string>(within.begin(), within.end());
  }
  if (!request.category_id().empty()) {
    if (!IsId(request.category_id())) {
      return absl::InvalidArgumentError("category_id: not a valid category id");
    }
    query.category = request.category_id();
  }
  if (request.status() != v1::SIGNAL_STATUS_UNSPECIFIED) {
    if (!v1::SignalStatus_IsValid(request.status())) {
      return absl::InvalidArgumentError("status: not a known status");
    }
    query.status = v1::SignalStatus_Name(request.status()).substr(sizeof("SIGNAL_STATUS_") - 1);
  }
  ASSIGN_OR_RETURN(query.reported_from, OptionalTime(request.reported().start(),
                                                     request.reported().has_start(),
                                                     "reported.start"));
  ASSIGN_OR_RETURN(query.reported_to, OptionalTime(request.reported().end(),
                                                   request.reported().has_end(), "reported.end"));
  if (query.reported_from && query.reported_to && *query.reported_from >= *query.reported_to) {
    return absl::InvalidArgumentError("reported: start must be before end");
  }
  query.overdue_only = request.overdue_only();
  query.late_only = request.late_only();

  ASSIGN_OR_RETURN(query.after, AfterTimeId(paging));
  ASSIGN_OR_RETURN(std::vector<v1::Signal> signals, store_->List(query, caller.deadline));
  v1::ListSignalsResponse response;
  response.set_next_page_token(CutPage(
      signals, paging, [](const v1::Signal& last) { return TimeIdPosition(last.reported_at(), last.signal_id()); }));
  for (v1::Signal& signal : signals) {
    SignalView view = ViewOf(caller, scope, signal);
    if (view == SignalView::kNone) continue;  // the query's scope and ViewOf agree; defence in depth
    ApplyView(view, signal);
    AddSubjects(signal, audit);
    *response.add_signals() = std::move(signal);
  }
  audit.SetResultCount(response.signals_size());
  return response;
}

absl::StatusOr<v1::ListCategoriesResponse> SignalIntake::Categories(const RequestContext& caller,
                                                                    AuditRecord& audit) {
  ASSIGN_OR_RETURN(std::vector<v1::Category> categories,
                   categories_->List(caller.tenant, /*active_only=*/true, caller.deadline));
  v1::ListCategoriesResponse response;
  for (auto& c : categories) *response.add_categories() = std::move(c);
  audit.SetResultCount(response.categories_size());
  return response;
}

absl::StatusOr<v1::ListAreasResponse> SignalIntake::Areas(const RequestContext& caller, AuditRecord& audit) {
  ASSIGN_OR_RETURN(std::vector<AreaRow> areas, store_->AreaTree(caller.tenant, caller.areas, caller.deadline));
  v1::ListAreasResponse response;
  for (AreaRow& row : areas) {
    v1::Area* area = response.add_areas();
    area->set_area_id(std::move(row.area_id));
    area->set_name(std::move(row.name));
    area->set_parent_area_id(std::move(row.parent_area_id));
  }
  audit.SetResultCount(response.areas_size());
  return response;
}

absl::StatusOr<v1::ListSignalsResponse> SignalIntake::Untriaged(
    const v1::ListUntriagedSignalsRequest& request, absl::Time deadline) {
  RETURN_IF_ERROR(CheckId("tenant_id", request.tenant_id()));
  if (request.area_ids().empty()) return Invalid("area_ids", "at least one area");
  for (int i = 0; i < request.area_ids_size(); ++i) {
    RETURN_IF_ERROR(CheckId(absl::StrCat("area_ids[", i, "]"), request.area_ids(i)));
  }
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, 100, 500, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  std::vector<std::string> areas(request.area_ids().begin(), request.area_ids().end());
  ASSIGN_OR_RETURN(std::vector<v1::Signal> signals,
                   store_->ListUntriaged(request.tenant_id(), areas, after, paging.size + 1, deadline));
  v1::ListSignalsResponse response;
  response.set_next_page_token(CutPage(
      signals, paging, [](const v1::Signal& last) { return TimeIdPosition(last.reported_at(), last.signal_id()); }));
  for (v1::Signal& s : signals) *response.add_signals() = std::move(s);
  return response;
}

absl::StatusOr<v1::RecordTriageOutcomesResponse> SignalIntake::RecordOutcomes(
    const v1::RecordTriageOutcomesRequest& request, absl::Time deadline) {
  // Each outcome is checked on its own: one that can never be applied is
  // refused (its sender sets it aside) and the others are applied.
  v1::RecordTriageOutcomesResponse response;
  auto refuse = [&response](int index, absl::string_view reason) {
    common::v1::RefusedItem& refused = *response.add_refused();
    refused.set_index(index);
    refused.set_reason(std::string(reason));
  };
  std::vector<std::pair<int, v1::TriageOutcome>> outcomes;  // position, outcome
  for (int i = 0; i < request.outcomes_size(); ++i) {
    v1::TriageOutcome o;
    if (!o.ParseFromString(request.outcomes(i))) {
      refuse(i, "not a TriageOutcome");
    } else if (absl::Status valid = CheckOutcome(o); !valid.ok()) {
      refuse(i, valid.message());
    } else {
      outcomes.emplace_back(i, std::move(o));
    }
  }
  auto apply = [&](const std::vector<v1::TriageOutcome>& some) { return store_->ApplyTriageOutcomes(some, deadline); };
  std::vector<v1::TriageOutcome> all;
  for (const auto& [i, o] : outcomes) all.push_back(o);
  absl::StatusOr<int> applied = apply(all);
  if (applied.ok()) {
    response.set_applied(*applied);
    return response;
  }
  if (!absl::IsInvalidArgument(applied.status()) && !absl::IsOutOfRange(applied.status())) return applied.status();
  // The database refused the batch for its content: find the outcomes it
  // refuses on their own.
  for (const auto& [i, o] : outcomes) {
    absl::StatusOr<int> one = apply({o});
    if (one.ok()) {
      response.set_applied(response.applied() + *one);
    } else if (absl::IsInvalidArgument(one.status()) || absl::IsOutOfRange(one.status())) {
      refuse(i, absl::StrCat("intake cannot store it (", absl::StatusCodeToString(one.status().code()), ")"));
    } else {
      return one.status();
    }
  }
  return response;
}

absl::StatusOr<v1::RecordCaseStatesResponse> SignalIntake::RecordCaseStates(
    const v1::RecordCaseStatesRequest& request, absl::Time deadline) {
  // As with outcomes: each state on its own, a bad one refused alone.
  v1::RecordCaseStatesResponse response;
  std::vector<v1::CaseState> states;
  for (int i = 0; i < request.states_size(); ++i) {
    v1::CaseState state;
    absl::Status valid = state.ParseFromString(request.states(i)) ? CheckCaseState(state)
                                                                  : absl::InvalidArgumentError("not a CaseState");
    if (!valid.ok()) {
      common::v1::RefusedItem& refused = *response.add_refused();
      refused.set_index(i);
      refused.set_reason(std::string(valid.message()));
      continue;
    }
    states.push_back(std::move(state));
  }
  ASSIGN_OR_RETURN(int applied, store_->ApplyCaseStates(states, deadline));
  response.set_applied(applied);
  return response;
}

}  // namespace hartslag::intake
