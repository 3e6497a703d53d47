#include "services/cases/meetings.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/cases/case_rules.h"
#include "services/cases/meeting_document.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"
#include "services/common/proto_time.h"
#include "services/common/request_bounds.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/validation.h"

namespace hartslag::cases {
namespace {

// New actions a single decision may give.
constexpr int kMaxActionsPerDecision = 20;
// Attendees a meeting records (the proto's bound).
constexpr int kMaxAttendees = 100;
// What decisions and corrections may grow a meeting to. They only ever add
// (a decision up to 20 actions, a correction its text), so repeated calls
// would grow it until no one could read it: a meeting is stored, read,
// answered and kept for retries whole, and its minutes are filed as one
// document, in which HTML escaping can make text six times as long. So it
// stays within 512 KiB, well inside the 4 MiB of a message. Closing,
// approving and attendance add a bounded few bytes more.
constexpr size_t kMaxMeetingBytes = 512 << 10;

// FAILED_PRECONDITION naming meeting_id when a decision or correction took
// `m` past kMaxMeetingBytes.
absl::Status RoomFor(const v1::Meeting& m) {
  if (m.ByteSizeLong() <= kMaxMeetingBytes) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("meeting_id: this would take the meeting past ", kMaxMeetingBytes,
                                                    " bytes, the most a meeting holds; put it on the next meeting"));
}

// The most actions an agenda item and corrections a meeting hold, as the
// proto declares them.
int MaxItemsOf(const google::protobuf::Descriptor* message, int field_number) {
  return MaxItems(message->FindFieldByNumber(field_number));
}

bool OnAgenda(const v1::Meeting& m, const std::string& case_id) {
  return std::any_of(m.items().begin(), m.items().end(),
                     [&](const v1::AgendaItem& item) { return item.case_id() == case_id; });
}

v1::AgendaItem ItemFor(const v1::Case& c) {
  v1::AgendaItem item;
  item.set_item_id(RandomUuid());
  item.set_case_id(c.case_id());
  item.set_case_reference(c.reference());
  item.set_case_title(c.title());
  return item;
}

}  // namespace

absl::StatusOr<v1::ListMeetingsResponse> Meetings::List(const RequestContext& caller,
                                                        const v1::ListMeetingsRequest& request, AuditRecord& audit) {
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
  // At most 100: a meeting's listing has no agenda, but its corrections and
  // attendance alone can take it near kMaxMeetingBytes.
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, 100, 100, 2));
  ASSIGN_OR_RETURN(auto after, AfterTimeId(paging));
  std::optional<v1::CaseKind> kind;
  if (request.kind() != v1::CASE_KIND_UNSPECIFIED) kind = request.kind();
  std::vector<v1::Meeting> meetings;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(meetings, data_->meetings.Between(tx, caller.tenant, from, to, kind, after, paging.size + 1));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::ListMeetingsResponse response;
  // Cut before filtering: the page's position is that of the rows read, so a
  // page may hold fewer meetings than page_size (those the caller may not see
  // are left out), and the next page starts where this one's reading ended.
  // Also what is read whole: a meeting that has no listing yet.
  for (v1::Meeting& m : meetings) m = MeetingListing(std::move(m));
  response.set_next_page_token(CutPage(
      meetings, paging, [](const v1::Meeting& last) { return TimeIdPosition(last.starts_at(), last.meeting_id()); }));
  for (v1::Meeting& m : meetings) {
    if (MaySeeMeeting(caller, scope, m)) *response.add_meetings() = std::move(m);
  }
  audit.SetResultCount(response.meetings_size());
  return response;
}

absl::StatusOr<v1::ScheduleMeetingsResponse> Meetings::Schedule(const RequestContext& caller,
                                                                v1::ScheduleMeetingsRequest request,
                                                                AuditRecord& audit) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
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
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  if (!scope.contains(request.area_id())) return absl::PermissionDeniedError("area_id: not one of your areas");
  using Response = v1::ScheduleMeetingsResponse;
  Response response;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(response, data_->once.Run<Response>(tx, caller, "ScheduleMeetings", request,
                                                         [&]() -> absl::StatusOr<Response> {
      Response scheduled;
      ASSIGN_OR_RETURN(absl::TimeZone zone, data_->ZoneOf(tx, caller.tenant));
      // The same local time every week in the tenant's zone, across its
      // daylight saving changes.
      absl::CivilSecond local = absl::ToCivilSecond(starts, zone);
      for (int week = 0; week < weeks; ++week) {
        v1::Meeting& m = *scheduled.add_meetings();
        m.set_meeting_id(RandomUuid());
        m.set_kind(request.kind());
        m.mutable_area()->set_area_id(request.area_id());
        *m.mutable_starts_at() = TimeToProto(absl::FromCivil(
            absl::CivilSecond(local.year(), local.month(), local.day() + 7 * week, local.hour(), local.minute(),
                              local.second()),
            zone));
        m.set_chair(request.chair());
        *m.mutable_participating_organisations() = request.participating_organisations();
        m.set_status(v1::MEETING_STATUS_SCHEDULED);
        RETURN_IF_ERROR(data_->meetings.Insert(tx, caller.tenant, m));
      }
      return scheduled;
    }));
    audit.SetObjectId(response.meetings(0).meeting_id());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Meeting> Meetings::Visible(const RequestContext& caller, const std::string& meeting_id,
                                              const std::string& view_as, AuditRecord& audit,
                                              std::map<std::string, v1::Case>* cases) {
  RETURN_IF_ERROR(RequirePurpose(caller));
  if (!IsUuid(meeting_id)) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(meeting_id);
  if (!view_as.empty()) {
    RETURN_IF_ERROR(CheckId("view_as_organisation_id", view_as));
    if (!caller.Has(Role::kCoordinator)) {
      return absl::PermissionDeniedError(
          "view_as_organisation_id: only a coordinator of the meeting's area shows the partner view");
    }
    if (caller.purpose != "MEETING") {
      return Invalid("x-hartslag-purpose", "the partner view is for the meeting: purpose MEETING");
    }
  }
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  std::optional<v1::Meeting> meeting;
  std::optional<directory::v1::Organisation> organisation;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(meeting, data_->meetings.Find(tx, caller.tenant, meeting_id));
    if (!view_as.empty()) {
      ASSIGN_OR_RETURN(organisation, names_.FindOrganisation(tx, caller.tenant, view_as));
    }
    return absl::OkStatus();
  }));
  if (!meeting || !MaySeeMeeting(caller, scope, *meeting)) {
    if (meeting) audit.MarkDenied();
    return absl::NotFoundError("meeting not found");
  }
  if (view_as.empty()) {
    ASSIGN_OR_RETURN(v1::Meeting seen, AsSeenBy(caller, scope, *std::move(meeting), cases));
    audit.SetResultCount(seen.items_size());
    return seen;
  }
  // The caller sees this meeting, so refusing the view tells nothing new.
  if (!MaySteerMeeting(caller, scope, *meeting)) {
    return absl::PermissionDeniedError(
        "view_as_organisation_id: only a coordinator of the meeting's area shows the partner view");
  }
  const auto& taking_part = meeting->participating_organisations();
  if (!organisation || std::find(taking_part.begin(), taking_part.end(), view_as) == taking_part.end()) {
    return absl::PermissionDeniedError("view_as_organisation_id: the organisation does not take part in this meeting");
  }
  // The record says whose view was shown: an organisation id, no personal
  // data.
  audit.SetDetail(absl::StrCat("partner view of organisation ", view_as));
  // The same rule a real partner of the organisation gets (AsSeenBy with a
  // partner caller), not a second filter that could drift from it.
  ASSIGN_OR_RETURN(v1::Meeting seen, AsSeenBy(PartnerView(caller, view_as, organisation->kind()), CoordinatorScope(),
                                              *std::move(meeting), cases));
  audit.SetResultCount(seen.items_size());
  return seen;
}

absl::StatusOr<v1::Meeting> Meetings::AsSeenBy(const RequestContext& caller, const CoordinatorScope& scope,
                                               v1::Meeting meeting, std::map<std::string, v1::Case>* cases) {
  std::map<std::string, v1::Case> item_cases;
  std::vector<std::string> ids;
  for (const v1::AgendaItem& item : meeting.items()) ids.push_back(item.case_id());
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(item_cases, data_->cases.FindMany(tx, caller.tenant, ids));
    return absl::OkStatus();
  }));
  google::protobuf::RepeatedPtrField<v1::AgendaItem> visible;
  for (v1::AgendaItem& item : *meeting.mutable_items()) {
    auto c = item_cases.find(item.case_id());
    if (c == item_cases.end() || !MaySeeCase(caller, scope, c->second)) continue;
    if (cases != nullptr) (*cases)[c->first] = c->second;
    *visible.Add() = std::move(item);
  }
  *meeting.mutable_items() = std::move(visible);
  google::protobuf::RepeatedPtrField<v1::MinutesCorrection> corrections;
  for (v1::MinutesCorrection& correction : *meeting.mutable_corrections()) {
    bool on_visible_item = std::any_of(meeting.items().begin(), meeting.items().end(),
                                       [&](const v1::AgendaItem& i) { return i.item_id() == correction.item_id(); });
    if (correction.item_id().empty() || on_visible_item) *corrections.Add() = std::move(correction);
  }
  *meeting.mutable_corrections() = std::move(corrections);
  return meeting;
}

absl::StatusOr<v1::Meeting> Meetings::Get(const RequestContext& caller, const v1::GetMeetingRequest& request,
                                          AuditRecord& audit) {
  return Visible(caller, request.meeting_id(), request.view_as_organisation_id(), audit, nullptr);
}

absl::StatusOr<v1::MeetingDocument> Meetings::Export(const RequestContext& caller,
                                                     const v1::ExportMeetingRequest& request, AuditRecord& audit) {
  if (request.format() == v1::DOCUMENT_FORMAT_UNSPECIFIED || !v1::DocumentFormat_IsValid(request.format())) {
    return Invalid("format", "is required: MARKDOWN or HTML");
  }
  std::map<std::string, v1::Case> cases;
  ASSIGN_OR_RETURN(v1::Meeting meeting,
                   Visible(caller, request.meeting_id(), request.view_as_organisation_id(), audit, &cases));
  // Names as the directory last handed them over: an id the copy does not
  // know stands for itself.
  std::vector<std::string> users = {meeting.chair()};
  for (const auto& c : meeting.corrections()) users.push_back(c.author().user_id());
  for (const auto& item : meeting.items()) {
    for (const auto& a : item.actions()) {
      if (!a.assignee().empty()) users.push_back(a.assignee());
    }
  }
  DocumentContext context;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(context.zone, data_->ZoneOf(tx, caller.tenant));
    ASSIGN_OR_RETURN(context.names, names_.Book(tx, caller.tenant, users));
    context.approved_in_starts_at.reset();
    if (meeting.has_minutes_approved_at()) {
      ASSIGN_OR_RETURN(std::optional<v1::Meeting> in,
                       data_->meetings.Find(tx, caller.tenant, meeting.minutes_approved_in()));
      if (in) context.approved_in_starts_at = absl::FromUnixSeconds(in->starts_at().seconds());
    }
    return absl::OkStatus();
  }));
  return MeetingDocument(meeting, cases, request.format(), context);
}

absl::StatusOr<v1::Meeting> Meetings::ChangeIn(db::Transaction& tx, const RequestContext& caller,
                                               const CoordinatorScope& scope, const std::string& meeting_id,
                                               const Change& change, AuditRecord& audit, bool closed_minutes) {
  ASSIGN_OR_RETURN(std::optional<v1::Meeting> m, data_->meetings.Lock(tx, caller.tenant, meeting_id));
  if (!m || !MaySteerMeeting(caller, scope, *m)) {
    if (m) audit.MarkDenied();
    return absl::NotFoundError("meeting not found");
  }
  bool closed = m->status() == v1::MEETING_STATUS_CLOSED;
  if (closed && !closed_minutes) {
    return absl::FailedPreconditionError(
        "meeting_id: the meeting is closed; its minutes are fixed (add a correction instead)");
  }
  if (!closed && closed_minutes) {
    return absl::FailedPreconditionError("meeting_id: the meeting is open; change its agenda or decision");
  }
  RETURN_IF_ERROR(change(*m));
  RETURN_IF_ERROR(data_->meetings.Save(tx, caller.tenant, *m));
  return *std::move(m);
}

absl::StatusOr<v1::Meeting> Meetings::ChangeMeeting(const RequestContext& caller, const std::string& meeting_id,
                                                    const Change& change, AuditRecord& audit) {
  if (!IsUuid(meeting_id)) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(meeting_id);
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Meeting changed;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(changed, ChangeIn(tx, caller, scope, meeting_id, change, audit));
    return absl::OkStatus();
  }));
  return AsSeenBy(caller, scope, std::move(changed), nullptr);
}

absl::StatusOr<v1::Meeting> Meetings::EditAgenda(const RequestContext& caller, const v1::EditAgendaRequest& request,
                                                 AuditRecord& audit) {
  using Edit = v1::EditAgendaRequest;
  if (request.edit() == Edit::EDIT_UNSPECIFIED || !Edit::Edit_IsValid(request.edit())) {
    return Invalid("edit", "is required: GENERATE, ADD, REMOVE or MOVE");
  }
  if (request.edit() == Edit::EDIT_ADD && !IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  std::optional<v1::Meeting> current;
  if (IsUuid(request.meeting_id()) && request.edit() == Edit::EDIT_GENERATE) {
    RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
      ASSIGN_OR_RETURN(current, data_->meetings.Find(tx, caller.tenant, request.meeting_id()));
      return absl::OkStatus();
    }));
  }
  // The cases that could go on: found before the meeting is locked.
  std::vector<std::pair<v1::Case, std::vector<v1::AgendaReason>>> candidates;
  if (current) {
    ASSIGN_OR_RETURN(std::set<std::string> areas,
                     data_->areas.Within(*data_->pool, caller.tenant, {current->area().area_id()}, caller.deadline));
    std::vector<v1::Case> cases;
    std::vector<v1::Action> open;
    absl::TimeZone zone;
    RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
      ASSIGN_OR_RETURN(zone, data_->ZoneOf(tx, caller.tenant));
      ASSIGN_OR_RETURN(cases, data_->cases.OpenCasesIn(tx, caller.tenant, current->kind(), {areas.begin(), areas.end()}));
      std::erase_if(cases, [&](const v1::Case& c) { return !MaySeeCase(caller, scope, c); });
      // Only open actions give agenda reasons (overdue, or none left open).
      ActionQuery open_actions;
      open_actions.tenant = caller.tenant;
      open_actions.case_ids.emplace();
      for (const v1::Case& c : cases) open_actions.case_ids->push_back(c.case_id());
      open_actions.statuses = {v1::ACTION_STATUS_OPEN, v1::ACTION_STATUS_IN_PROGRESS};
      ASSIGN_OR_RETURN(open, data_->actions.List(tx, open_actions));
      return absl::OkStatus();
    }));
    std::map<std::string, std::vector<v1::Action>> actions_of;
    for (v1::Action& a : open) actions_of[a.case_id()].push_back(std::move(a));
    absl::Time at = absl::FromUnixSeconds(current->starts_at().seconds());
    for (v1::Case& c : cases) {
      std::vector<v1::AgendaReason> reasons = AgendaReasons(c, actions_of[c.case_id()], at, zone);
      if (!reasons.empty()) candidates.emplace_back(std::move(c), std::move(reasons));
    }
  }
  if (!IsUuid(request.meeting_id())) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(request.meeting_id());
  v1::Meeting edited;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    std::optional<v1::Case> added;
    if (request.edit() == Edit::EDIT_ADD) {
      ASSIGN_OR_RETURN(added, data_->cases.Find(tx, caller.tenant, request.case_id(), ""));
      if (!added || !MaySeeCase(caller, scope, *added)) return absl::NotFoundError("case_id: case not found");
    }
    ASSIGN_OR_RETURN(edited, ChangeIn(tx, caller, scope, request.meeting_id(), [&](v1::Meeting& m) -> absl::Status {
      switch (request.edit()) {
        case Edit::EDIT_GENERATE:
          for (const auto& [c, reasons] : candidates) {
            if (OnAgenda(m, c.case_id())) continue;
            v1::AgendaItem item = ItemFor(c);
            for (v1::AgendaReason r : reasons) item.add_reasons(r);
            *m.add_items() = std::move(item);
          }
          return absl::OkStatus();
        case Edit::EDIT_ADD: {
          if (added->kind() != m.kind()) {
            return absl::FailedPreconditionError("case_id: the case belongs to the other meeting");
          }
          if (OnAgenda(m, added->case_id())) return absl::AlreadyExistsError("case_id: already on the agenda");
          // A closed case changes no more (CaseStatus): a meeting cannot
          // decide on it until it is reopened.
          if (added->status() == v1::CASE_STATUS_CLOSED) {
            return absl::FailedPreconditionError("case_id: the case is closed; reopen it first");
          }
          v1::AgendaItem item = ItemFor(*added);
          item.add_reasons(v1::AGENDA_REASON_ADDED);
          *m.add_items() = std::move(item);
          return absl::OkStatus();
        }
        case Edit::EDIT_REMOVE:
        case Edit::EDIT_MOVE: {
          // Only the items the caller sees can be named, and a position
          // counts those; the others keep their places.
          auto* items = m.mutable_items();
          std::vector<std::string> ids;
          for (const v1::AgendaItem& i : *items) ids.push_back(i.case_id());
          ASSIGN_OR_RETURN(auto item_cases, data_->cases.FindMany(tx, caller.tenant, ids));
          std::vector<int> seen;
          int from = -1;
          for (int i = 0; i < items->size(); ++i) {
            auto c = item_cases.find(items->Get(i).case_id());
            if (c == item_cases.end() || !MaySeeCase(caller, scope, c->second)) continue;
            seen.push_back(i);
            if (items->Get(i).item_id() == request.item_id()) from = i;
          }
          if (from < 0) return absl::NotFoundError("item_id: not on this agenda");
          if (request.edit() == Edit::EDIT_REMOVE) {
            items->erase(items->begin() + from);
            return absl::OkStatus();
          }
          if (request.position() < 0 || request.position() >= static_cast<int>(seen.size())) {
            return Invalid("position", absl::StrCat("must be 0 to ", static_cast<int>(seen.size()) - 1));
          }
          int to = seen[request.position()];
          for (int i = from; i < to; ++i) items->SwapElements(i, i + 1);
          for (int i = from; i > to; --i) items->SwapElements(i, i - 1);
          return absl::OkStatus();
        }
        default:
          return Invalid("edit", "is not a known edit");
      }
    }, audit));
    return absl::OkStatus();
  }));
  return AsSeenBy(caller, scope, std::move(edited), nullptr);
}

absl::StatusOr<v1::Meeting> Meetings::Decide(const RequestContext& caller, v1::DecideItemRequest request,
                                             AuditRecord& audit) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  if (!IsUuid(request.meeting_id())) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(request.meeting_id());
  RETURN_IF_ERROR(CheckText("decision", *request.mutable_decision(), 1, 2000, true));
  RETURN_IF_ERROR(CheckText("rationale", *request.mutable_rationale(), 0, 2000, true));
  std::optional<absl::CivilDay> review_day;
  if (!request.next_review_date().empty()) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(request.next_review_date(), &day)) {
      return Invalid("next_review_date", "must be a date as YYYY-MM-DD");
    }
    review_day = day;
  }
  RETURN_IF_ERROR(CheckRisk(request.risk_tier(), *request.mutable_risk_reason()));
  if (request.actions_size() > kMaxActionsPerDecision) {
    return Invalid("actions", absl::StrCat("at most ", kMaxActionsPerDecision, " per decision"));
  }
  // The review starts the tenant's day; due dates are checked by its today.
  ASSIGN_OR_RETURN(absl::TimeZone zone, data_->ZoneOf(caller));
  std::optional<absl::Time> next_review;
  if (review_day) next_review = absl::FromCivil(*review_day, zone);
  // The actions are checked before anything is locked; their case is the
  // item's, filled in once the meeting is read.
  std::vector<v1::Action> actions;
  for (int i = 0; i < request.actions_size(); ++i) {
    std::string prefix = absl::StrCat("actions[", i, "].");
    if (!request.actions(i).case_id().empty()) return Invalid(prefix + "case_id", "is the item's case; leave it empty");
    ASSIGN_OR_RETURN(v1::Action action, NewAction(caller, *request.mutable_actions(i), prefix, "", Today(zone)));
    actions.push_back(std::move(action));
  }
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Meeting decided;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(decided, data_->once.Run<v1::Meeting>(tx, caller, "DecideItem", request,
                                                           [&]() -> absl::StatusOr<v1::Meeting> {
      std::string case_id;
      ASSIGN_OR_RETURN(v1::Meeting m, ChangeIn(tx, caller, scope, request.meeting_id(), [&](v1::Meeting& m) {
        for (auto& item : *m.mutable_items()) {
          if (item.item_id() != request.item_id()) continue;
          case_id = item.case_id();
          const int max_actions = MaxItemsOf(v1::AgendaItem::descriptor(), v1::AgendaItem::kActionsFieldNumber);
          if (item.actions_size() + static_cast<int>(actions.size()) > max_actions) {
            return absl::FailedPreconditionError(
                absl::StrCat("item_id: the item holds ", item.actions_size(), " actions, and ", max_actions,
                             " is the most an item holds; put the others on the next meeting"));
          }
          item.set_decision(request.decision());
          item.set_rationale(request.rationale());
          for (v1::Action& action : actions) {
            action.set_case_id(case_id);
            action.set_case_reference(item.case_reference());
            *item.add_actions() = action;
          }
          return RoomFor(m);
        }
        return absl::NotFoundError("item_id: not on this agenda");
      }, audit));
      ASSIGN_OR_RETURN(std::optional<v1::Case> c, data_->cases.Lock(tx, caller.tenant, case_id));
      if (!c || !MaySeeCase(caller, scope, *c)) return absl::NotFoundError("case not found");
      if (!actions.empty() && c->status() == v1::CASE_STATUS_CLOSED) {
        return absl::FailedPreconditionError("actions: the case is closed");
      }
      AddSubjects(*c, audit);
      if (request.risk_tier() != v1::RISK_TIER_UNSPECIFIED) ApplyRisk(*c, request.risk_tier(), request.risk_reason());
      if (next_review) *c->mutable_next_review_at() = TimeToProto(*next_review);
      for (const v1::Action& action : actions) JoinCase(*c, action);
      RETURN_IF_ERROR(data_->cases.Save(tx, caller, *c));
      for (v1::Action& action : actions) RETURN_IF_ERROR(data_->actions.Insert(tx, caller.tenant, *c, action));
      return m;
    }));
    return absl::OkStatus();
  }));
  if (!actions.empty() && doorbell_ != nullptr) doorbell_->Ring();
  return AsSeenBy(caller, scope, std::move(decided), nullptr);
}

absl::StatusOr<v1::Meeting> Meetings::CorrectMinutes(const RequestContext& caller, v1::CorrectMinutesRequest request,
                                                     AuditRecord& audit) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  if (!IsUuid(request.meeting_id())) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(request.meeting_id());
  RETURN_IF_ERROR(CheckText("text", *request.mutable_text(), 1, 2000, true));
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Meeting corrected;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(corrected, data_->once.Run<v1::Meeting>(tx, caller, "CorrectMinutes", request,
                                                             [&]() -> absl::StatusOr<v1::Meeting> {
      return ChangeIn(tx, caller, scope, request.meeting_id(), [&](v1::Meeting& m) -> absl::Status {
        if (!request.item_id().empty() &&
            std::none_of(m.items().begin(), m.items().end(),
                         [&](const v1::AgendaItem& i) { return i.item_id() == request.item_id(); })) {
          return absl::NotFoundError("item_id: not in these minutes");
        }
        const int max_corrections = MaxItemsOf(v1::Meeting::descriptor(), v1::Meeting::kCorrectionsFieldNumber);
        if (m.corrections_size() >= max_corrections) {
          return absl::FailedPreconditionError(absl::StrCat("meeting_id: the minutes hold ", max_corrections,
                                                            " corrections, the most a meeting holds"));
        }
        v1::MinutesCorrection& correction = *m.add_corrections();
        correction.set_correction_id(RandomUuid());
        correction.set_item_id(request.item_id());
        correction.set_text(request.text());
        correction.mutable_author()->set_user_id(caller.user);
        correction.mutable_author()->set_organisation_id(caller.organisation);
        correction.mutable_author()->set_organisation_kind(caller.organisation_kind);
        *correction.mutable_at() = TimeToProto(absl::Now());
        return RoomFor(m);
      }, audit, /*closed_minutes=*/true);
    }));
    return absl::OkStatus();
  }));
  return AsSeenBy(caller, scope, std::move(corrected), nullptr);
}

absl::StatusOr<v1::Meeting> Meetings::Close(const RequestContext& caller, const v1::CloseMeetingRequest& request,
                                            AuditRecord& audit) {
  return ChangeMeeting(caller, request.meeting_id(), [](v1::Meeting& m) -> absl::Status {
    m.set_status(v1::MEETING_STATUS_CLOSED);
    *m.mutable_closed_at() = TimeToProto(absl::Now());
    return absl::OkStatus();
  }, audit);
}

absl::StatusOr<v1::Meeting> Meetings::SetAttendance(const RequestContext& caller, v1::SetAttendanceRequest request,
                                                    AuditRecord& audit) {
  if (!IsUuid(request.meeting_id())) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(request.meeting_id());
  if (request.attendees_size() > kMaxAttendees) {
    return Invalid("attendees", absl::StrCat("at most ", kMaxAttendees));
  }
  for (int i = 0; i < request.attendees_size(); ++i) {
    std::string prefix = absl::StrCat("attendees[", i, "].");
    v1::Attendee& a = *request.mutable_attendees(i);
    RETURN_IF_ERROR(CheckText(prefix + "name", *a.mutable_name(), 1, 200));
    RETURN_IF_ERROR(CheckId(prefix + "organisation_id", a.organisation_id()));
  }
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Meeting changed;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    // The organisation's name as it was at the meeting, kept with the
    // minutes (as an item keeps its case's title).
    for (int i = 0; i < request.attendees_size(); ++i) {
      v1::Attendee& a = *request.mutable_attendees(i);
      ASSIGN_OR_RETURN(auto organisation, names_.FindOrganisation(tx, caller.tenant, a.organisation_id()));
      if (!organisation) {
        return Invalid(absl::StrCat("attendees[", i, "].organisation_id"), "is not one of the tenant's organisations");
      }
      a.set_organisation_name(organisation->name());
    }
    ASSIGN_OR_RETURN(changed, ChangeIn(tx, caller, scope, request.meeting_id(), [&](v1::Meeting& m) -> absl::Status {
      *m.mutable_attendees() = request.attendees();
      return absl::OkStatus();
    }, audit));
    return absl::OkStatus();
  }));
  return AsSeenBy(caller, scope, std::move(changed), nullptr);
}

absl::StatusOr<v1::Meeting> Meetings::ApproveMinutes(const RequestContext& caller,
                                                     const v1::ApproveMinutesRequest& request, AuditRecord& audit) {
  if (!IsUuid(request.meeting_id())) return Invalid("meeting_id", "must be a UUID");
  audit.SetObjectId(request.meeting_id());
  if (!IsUuid(request.approved_in_meeting_id())) return Invalid("approved_in_meeting_id", "must be a UUID");
  if (request.approved_in_meeting_id() == request.meeting_id()) {
    return absl::FailedPreconditionError("approved_in_meeting_id: minutes are approved in a later meeting");
  }
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Meeting approved;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<v1::Meeting> in,
                     data_->meetings.Find(tx, caller.tenant, request.approved_in_meeting_id()));
    if (!in || !MaySteerMeeting(caller, scope, *in)) {
      return absl::NotFoundError("approved_in_meeting_id: meeting not found");
    }
    ASSIGN_OR_RETURN(approved, ChangeIn(tx, caller, scope, request.meeting_id(), [&](v1::Meeting& m) -> absl::Status {
      if (m.has_minutes_approved_at()) {
        return absl::FailedPreconditionError("meeting_id: these minutes are approved already");
      }
      if (in->kind() != m.kind() || in->area().area_id() != m.area().area_id()) {
        return absl::FailedPreconditionError(
            "approved_in_meeting_id: minutes are approved in a meeting of the same kind and area");
      }
      if (in->starts_at().seconds() <= m.starts_at().seconds()) {
        return absl::FailedPreconditionError("approved_in_meeting_id: minutes are approved in a later meeting");
      }
      *m.mutable_minutes_approved_at() = TimeToProto(absl::Now());
      m.set_minutes_approved_in(in->meeting_id());
      return absl::OkStatus();
    }, audit, /*closed_minutes=*/true));
    return absl::OkStatus();
  }));
  return AsSeenBy(caller, scope, std::move(approved), nullptr);
}

}  // namespace hartslag::cases
