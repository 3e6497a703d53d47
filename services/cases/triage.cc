#include "services/cases/triage.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/cases/case_rules.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/validation.h"

namespace hartslag::cases {
namespace {

// How far back the triage queue proposes other signals by default.
constexpr int kDefaultProposalWindowDays = 90;
// A triage page of 50 signals with their proposals stays under 4 MiB even
// with every field at its maximum (a signal is at most about 45 KB).
constexpr int kDefaultTriagePage = 25;
constexpr int kMaxTriagePage = 50;
// Proposals per list on one signal: enough to weigh it; more is noise.
constexpr int kMaxProposals = 20;


// What the reporter reads when the coordinator writes nothing: the standard
// text the signal's category gives for the outcome, else one for the choice.
std::string DefaultFeedback(const v1::TriageSignalRequest& r, const intake::v1::Signal& signal,
                            intake::v1::SignalStatus outcome) {
  for (const auto& text : signal.standard_feedback()) {
    if (text.outcome() == outcome && !text.text().empty()) return text.text();
  }
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

// The case a weighed signal opens for a meeting of `kind`.
v1::Case NewCaseFor(const RequestContext& caller, const intake::v1::Signal& signal, v1::CaseKind kind,
                    const std::string& title) {
  v1::Case c;
  c.set_kind(kind);
  c.set_title(title);
  *c.mutable_area() = signal.area();
  *c.mutable_address() = signal.location().address();
  for (const auto& p : signal.persons()) {
    v1::CasePerson* person = c.add_persons();
    person->set_name(p.name());
    person->set_birth_year(p.birth_year());
    person->set_role(p.role());
  }
  c.set_process_coordinator(caller.user);
  c.add_participating_organisations(caller.organisation);
  c.set_confidentiality(DefaultConfidentiality(kind));
  c.add_signal_ids(signal.signal_id());
  return c;
}

}  // namespace

absl::StatusOr<v1::TriageQueue> Triage::Queue(const RequestContext& caller, const v1::GetTriageQueueRequest& request,
                                              AuditRecord& audit) {
  if (caller.purpose != "TRIAGE") return Invalid("x-hartslag-purpose", "the triage queue is read for TRIAGE");
  int window_days = request.window_days() == 0 ? kDefaultProposalWindowDays : request.window_days();
  if (window_days < 1 || window_days > 365) return Invalid("window_days", "must be 1 to 365");
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  std::set<std::string> areas = scope;
  if (!request.area_id().empty()) {
    RETURN_IF_ERROR(CheckId("area_id", request.area_id()));
    if (!scope.contains(request.area_id())) return absl::PermissionDeniedError("area_id: not one of your areas");
    ASSIGN_OR_RETURN(areas, data_->areas.Within(*data_->pool, caller.tenant, {request.area_id()}, caller.deadline));
  }
  v1::TriageQueue queue;
  TenantSettings settings;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(settings, data_->cases.SettingsOf(tx, caller.tenant));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(absl::TimeZone zone, TimeZoneOf(settings.time_zone()));
  absl::Time cut_off = WeeklyCutOff(absl::Now(), zone, CutOffOf(settings));
  *queue.mutable_cut_off() = TimeToProto(cut_off);
  // The page token carries intake's, bound to this filter.
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultTriagePage, kMaxTriagePage, 1));
  std::string intake_token = paging.after.empty() ? "" : paging.after[0];
  if (areas.empty()) return queue;
  ASSIGN_OR_RETURN(UntriagedPage page,
                   untriaged_(caller.tenant, {areas.begin(), areas.end()}, paging.size, intake_token, caller.deadline,
                              TraceOf(caller)));
  if (!page.next_page_token.empty()) {
    queue.set_next_page_token(EncodePageToken(paging.fingerprint, {page.next_page_token}));
  }
  std::vector<intake::v1::Signal>& signals = page.signals;
  std::vector<std::string> ids;
  for (const auto& s : signals) ids.push_back(s.signal_id());

  // Proposals: other signals at the same address within the window (this
  // queue's and earlier queues'), open cases at the address, and open
  // Casuïstiek cases about the same persons.
  absl::Time since = absl::Now() - absl::Hours(24) * window_days;
  std::map<std::string, std::set<std::string>> signals_at;
  std::vector<v1::Case> cases, households;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    // Decided here but not yet known to intake (the outcome is on its way).
    ASSIGN_OR_RETURN(std::set<std::string> decided, data_->triage.Decided(tx, caller.tenant, ids));
    std::erase_if(signals, [&](const intake::v1::Signal& s) { return decided.contains(s.signal_id()); });
    // Kept so that a decision can be taken while intake is away.
    RETURN_IF_ERROR(data_->triage.SaveQueueSignals(tx, caller.tenant, signals));
    signals_at.clear();
    for (const auto& s : signals) signals_at[AddressKey(s.location().address())].insert(s.signal_id());
    std::vector<std::string> keys;
    for (const auto& [key, unused] : signals_at) keys.push_back(key);
    // One more than shown: a signal may find itself among them.
    ASSIGN_OR_RETURN(std::vector<intake::v1::Signal> earlier,
                     data_->triage.QueueSignalsAt(tx, caller.tenant, keys, since, kMaxProposals + 1));
    for (const auto& s : earlier) {
      absl::StatusOr<absl::Time> reported = TimeFromProto(s.reported_at(), "reported_at");
      if (reported.ok() && *reported >= since) signals_at[AddressKey(s.location().address())].insert(s.signal_id());
    }
    ASSIGN_OR_RETURN(cases, data_->cases.OpenCasesAt(tx, caller.tenant, keys, kMaxProposals));
    std::set<std::string> person_keys;
    for (const auto& s : signals) {
      for (const auto& p : s.persons()) {
        if (std::string key = PersonKey(p.name()); !key.empty()) person_keys.insert(std::move(key));
      }
    }
    ASSIGN_OR_RETURN(households, data_->cases.OpenCasesAbout(
                                     tx, caller.tenant, v1::CASE_KIND_CASUISTIEK, {scope.begin(), scope.end()},
                                     {person_keys.begin(), person_keys.end()}, kMaxProposals,
                                     kMaxProposals * kMaxTriagePage));
    return absl::OkStatus();
  }));
  std::map<std::string, std::vector<v1::CaseListItem>> cases_at;
  for (const v1::Case& c : cases) {
    if (MaySeeCase(caller, scope, c)) cases_at[AddressKey(c.address())].push_back(ListItem(c));
  }
  std::erase_if(households, [&](const v1::Case& c) { return !MaySeeCase(caller, scope, c); });
  for (intake::v1::Signal& s : signals) {
    v1::TriageItem& item = *queue.add_items();
    std::string key = AddressKey(s.location().address());
    absl::StatusOr<absl::Time> reported = TimeFromProto(s.reported_at(), "reported_at");
    item.set_before_cut_off(reported.ok() && *reported < cut_off);
    item.set_meldcode(s.meldcode());
    item.set_proposed_kind(s.default_meeting() == intake::v1::MEETING_KIND_CASUISTIEK    ? v1::CASE_KIND_CASUISTIEK
                           : s.default_meeting() == intake::v1::MEETING_KIND_LEEFBAARHEID ? v1::CASE_KIND_LEEFBAARHEID
                                                                                          : v1::CASE_KIND_UNSPECIFIED);
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

absl::StatusOr<v1::TriageDecision> Triage::Decide(const RequestContext& caller, v1::TriageSignalRequest request,
                                                  AuditRecord& audit) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
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
  v1::CaseKind kind = request.choice() == v1::TRIAGE_CHOICE_CASUISTIEK ? v1::CASE_KIND_CASUISTIEK
                                                                       : v1::CASE_KIND_LEEFBAARHEID;
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));

  v1::TriageDecision decided;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<intake::v1::Signal> signal,
                     data_->triage.QueueSignal(tx, caller.tenant, request.signal_id()));
    if (!signal || !scope.contains(signal->area().area_id())) {
      if (signal) audit.MarkDenied();
      return absl::NotFoundError("signal_id: not in your triage queue (read the queue first)");
    }
    AddSignalSubjects(*signal, audit);
    using Decision = v1::TriageDecision;
    ASSIGN_OR_RETURN(decided, data_->once.Run<Decision>(tx, caller, "TriageSignal", request,
                                                        [&]() -> absl::StatusOr<Decision> {
      Decision decision;
      decision.set_decision_id(RandomUuid());
      decision.set_signal_id(request.signal_id());
      decision.set_choice(request.choice());
      decision.set_refer_to(request.refer_to());
      decision.set_reason(request.reason());
      decision.set_feedback(request.feedback().empty()
                                ? DefaultFeedback(request, *signal, OutcomeStatus(request.choice()))
                                : request.feedback());
      decision.mutable_decided_by()->set_user_id(caller.user);
      decision.mutable_decided_by()->set_organisation_id(caller.organisation);
      decision.mutable_decided_by()->set_organisation_kind(caller.organisation_kind);
      *decision.mutable_decided_at() = TimeToProto(absl::Now());
      if (to_meeting && !request.case_id().empty()) {
        ASSIGN_OR_RETURN(std::optional<v1::Case> c, data_->cases.Lock(tx, caller.tenant, request.case_id()));
        if (!c || !MaySeeCase(caller, scope, *c)) return absl::NotFoundError("case_id: case not found");
        if (c->kind() != kind) return absl::FailedPreconditionError("case_id: the case belongs to the other meeting");
        if (c->status() == v1::CASE_STATUS_CLOSED) {
          return absl::FailedPreconditionError("case_id: the case is closed; reopen it first");
        }
        RETURN_IF_ERROR(LinkSignal(*c, request.signal_id()));
        RETURN_IF_ERROR(data_->cases.Save(tx, caller, *c));
        decision.set_case_id(c->case_id());
      } else if (to_meeting) {
        if (kind == v1::CASE_KIND_CASUISTIEK && signal->persons().empty()) {
          return absl::FailedPreconditionError(
              "signal_id: the signal names no persons for a CASUISTIEK case; open the case and link it");
        }
        v1::Case c = NewCaseFor(caller, *signal, kind, request.new_case_title());
        RETURN_IF_ERROR(data_->cases.Insert(tx, caller, c));
        RETURN_IF_ERROR(RecordCaseState(*data_, tx, caller.tenant, c));
        decision.set_case_id(c.case_id());
      }
      RETURN_IF_ERROR(data_->triage.InsertDecision(tx, caller.tenant, decision));
      intake::v1::TriageOutcome outcome;
      outcome.set_event_id(decision.decision_id());
      outcome.set_tenant_id(caller.tenant);
      outcome.set_signal_id(request.signal_id());
      outcome.set_status(OutcomeStatus(request.choice()));
      outcome.set_feedback(decision.feedback());
      // Intake keeps a signal on an open case whole: it learns the case here
      // and whether it is open from the case's states.
      outcome.set_case_id(decision.case_id());
      *outcome.mutable_decided_at() = decision.decided_at();
      data_->outbox.Add(tx, kIntakeTarget, {outcome.event_id(), caller.tenant, outcome.SerializeAsString()});
      return decision;
    }));
    return absl::OkStatus();
  }));
  return decided;
}

}  // namespace hartslag::cases
