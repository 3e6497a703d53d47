#include "services/cases/actions.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/cases/case_rules.h"
#include "services/common/page_token.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/validation.h"

namespace hartslag::cases {
namespace {

// Action changes per step of a WatchActions stream.
constexpr int kWatchPage = 100;

// Whether the caller may work `a`, of one of `cases` (a missing case: no).
bool MayWorkOn(const RequestContext& caller, const CoordinatorScope& scope, const v1::Action& a,
               const std::map<std::string, v1::Case>& cases) {
  auto c = cases.find(a.case_id());
  return c != cases.end() && AccessToAction(caller, scope, a, c->second).may_work();
}

}  // namespace

void Actions::Ring() const {
  if (doorbell_ != nullptr) doorbell_->Ring();
}

absl::StatusOr<v1::Action> Actions::Create(const RequestContext& caller, v1::CreateActionRequest request,
                                           AuditRecord& audit) {
  RETURN_IF_ERROR(CheckRequestId(*request.mutable_request_id()));
  if (!IsUuid(request.case_id())) return Invalid("case_id", "must be a UUID");
  audit.SetObjectId(request.case_id());
  ASSIGN_OR_RETURN(absl::TimeZone zone, data_->ZoneOf(caller));
  const absl::CivilDay today = Today(zone);
  ASSIGN_OR_RETURN(v1::Action action, NewAction(caller, request, "", request.case_id(), today));
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Action created;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(created, data_->once.Run<v1::Action>(tx, caller, "CreateAction", request,
                                                          [&]() -> absl::StatusOr<v1::Action> {
      ASSIGN_OR_RETURN(std::optional<v1::Case> c, data_->cases.Lock(tx, caller.tenant, request.case_id()));
      if (!c || !MaySeeCase(caller, scope, *c)) {
        if (c) audit.MarkDenied();
        return absl::NotFoundError("case not found");
      }
      if (c->status() == v1::CASE_STATUS_CLOSED) return absl::FailedPreconditionError("case_id: the case is closed");
      AddSubjects(*c, audit);
      JoinCase(*c, action);
      RETURN_IF_ERROR(data_->cases.Save(tx, caller, *c));
      v1::Action stored = action;
      RETURN_IF_ERROR(data_->actions.Insert(tx, caller.tenant, *c, stored));
      return stored;
    }));
    return absl::OkStatus();
  }));
  Ring();
  return WithOverdue(std::move(created), today);
}

absl::StatusOr<v1::ListActionsResponse> Actions::List(const RequestContext& caller,
                                                      const v1::ListActionsRequest& request, AuditRecord& audit) {
  RETURN_IF_ERROR(RequirePurpose(caller));
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
  }
  if (request.mine()) {
    query.organisation = caller.organisation;
  } else {
    RETURN_IF_ERROR(RequireVisibleCase(*data_, caller, request.case_id(), audit));
    query.case_ids = std::vector<std::string>{request.case_id()};
  }
  // A partner works every action given to its organisation (AccessToAction's
  // `assigned`); anyone else, of `mine`, only those on cases she may see.
  const bool by_case = request.mine() && !caller.Has(Role::kPartner);
  std::vector<v1::Action> actions;
  std::map<std::string, v1::Case> cases;  // of the actions, if by_case
  absl::CivilDay today;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(absl::TimeZone zone, data_->ZoneOf(tx, caller.tenant));
    today = Today(zone);
    if (request.overdue_only()) query.due_before = today;
    ASSIGN_OR_RETURN(actions, data_->actions.List(tx, query));
    if (by_case) {
      std::vector<std::string> ids;
      for (const v1::Action& a : actions) ids.push_back(a.case_id());
      ASSIGN_OR_RETURN(cases, data_->cases.FindMany(tx, caller.tenant, ids));
    }
    return absl::OkStatus();
  }));
  CoordinatorScope scope;
  if (by_case) {
    ASSIGN_OR_RETURN(scope, data_->ScopeOf(caller));
  }
  v1::ListActionsResponse response;
  // Cut before filtering, as every list (see paging in cases.proto).
  response.set_next_page_token(CutPage(actions, paging, [](const v1::Action& last) {
    return std::vector<std::string>{last.due_date(), last.action_id()};
  }));
  for (v1::Action& a : actions) {
    if (by_case && !MayWorkOn(caller, scope, a, cases)) continue;
    *response.add_actions() = WithOverdue(std::move(a), today);
  }
  audit.SetResultCount(response.actions_size());
  return response;
}

absl::StatusOr<v1::Action> Actions::Update(const RequestContext& caller, v1::UpdateActionRequest request,
                                           AuditRecord& audit) {
  if (!IsUuid(request.action_id())) return Invalid("action_id", "must be a UUID");
  audit.SetObjectId(request.action_id());
  if (!v1::ActionStatus_IsValid(request.status())) return Invalid("status", "is not a known status");
  RETURN_IF_ERROR(CheckText("result", *request.mutable_result(), 0, 2000, true));
  for (auto& [index, finding] : *request.mutable_findings()) {
    RETURN_IF_ERROR(CheckText(absl::StrCat("findings[", index, "]"), finding, 0, 2000, true));
  }
  ASSIGN_OR_RETURN(CoordinatorScope scope, data_->ScopeOf(caller));
  v1::Action updated;
  absl::CivilDay today;
  RETURN_IF_ERROR(data_->TransactAudited(caller, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(absl::TimeZone zone, data_->ZoneOf(tx, caller.tenant));
    today = Today(zone);
    ASSIGN_OR_RETURN(std::optional<ActionOnCase> found, data_->actions.Lock(tx, caller.tenant, request.action_id()));
    if (!found) return absl::NotFoundError("action not found");
    v1::Action& a = found->action;
    ActionAccess access = AccessToAction(caller, scope, a, found->of_case);
    if (!access.may_work()) {
      audit.MarkDenied();
      return absl::NotFoundError("action not found");
    }
    AddSubjects(found->of_case, audit);
    if (request.status() != v1::ACTION_STATUS_UNSPECIFIED && request.status() != a.status()) {
      if (!IsLegalActionMove(a.status(), request.status())) {
        return absl::FailedPreconditionError(absl::StrCat("status: an action cannot go from ",
                                                          v1::ActionStatus_Name(a.status()), " to ",
                                                          v1::ActionStatus_Name(request.status())));
      }
      if (request.status() == v1::ACTION_STATUS_CANCELLED && !access.coordinates) {
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
    RETURN_IF_ERROR(data_->actions.Save(tx, caller.tenant, a));
    updated = a;
    return absl::OkStatus();
  }));
  Ring();
  return WithOverdue(std::move(updated), today);
}

absl::StatusOr<FeedStep<v1::ActionEvent>> Actions::Watch(const RequestContext& caller,
                                                         const v1::WatchActionsRequest& request, AuditRecord& audit,
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
  int64_t head = 0;
  RETURN_IF_ERROR(data_->Transact(caller, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(head, data_->actions.FeedHead(tx, caller.tenant));
    return absl::OkStatus();
  }));
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
  const CasesData* data = data_;
  // Once per stream: the areas of its token hold for the stream's life.
  ASSIGN_OR_RETURN(CoordinatorScope opened_scope, data_->ScopeOf(caller));
  auto scope = std::make_shared<const CoordinatorScope>(std::move(opened_scope));
  return FeedStep<v1::ActionEvent>(
      [data, position, lease, replay_through, scope](
          const RequestContext& now, const RecordBegin& begin) -> absl::StatusOr<std::vector<v1::ActionEvent>> {
        std::vector<v1::ActionEvent> events;
        int64_t through = *position;
        absl::CivilDay today;
        RETURN_IF_ERROR(data->Transact(now, [&](db::Transaction& tx) -> absl::Status {
          // Only the actions the caller may work (as ListActions `mine`);
          // the position moves past the others. Full pages of those alone
          // are read past here: a step that delivers nothing is taken as
          // caught up, and would wait for the next change in the feed.
          std::vector<std::pair<v1::ActionEvent, v1::Case>> changes;
          through = *position;
          for (bool full = true; changes.empty() && full && absl::Now() < now.deadline;) {
            ASSIGN_OR_RETURN(changes,
                             data->actions.Changes(tx, now.tenant, now.organisation, through, kWatchPage, &through));
            full = changes.size() == static_cast<size_t>(kWatchPage);
            std::erase_if(changes, [&](const std::pair<v1::ActionEvent, v1::Case>& change) {
              return !AccessToAction(now, *scope, change.first.action(), change.second).may_work();
            });
          }
          events.clear();
          if (changes.empty()) return absl::OkStatus();
          ASSIGN_OR_RETURN(absl::TimeZone zone, data->ZoneOf(tx, now.tenant));
          today = Today(zone);
          auto subjects_of = [&](size_t i, AuditRecord& record) {
            AddSubjects(changes[i].second, record);
            for (const v1::ActionAddress& a : changes[i].first.action().addresses()) record.AddAddress(a.address());
          };
          // The deliveries are recorded in the transaction that read them.
          int64_t first = 0;
          if (absl::SimpleAtoi(changes.front().first.cursor(), &first) && first <= replay_through) {
            AuditRecord record = begin();
            record.SetObjectId(
                absl::StrCat("cursors ", changes.front().first.cursor(), "..", changes.back().first.cursor()));
            record.SetResultCount(static_cast<int>(changes.size()));
            for (size_t i = 0; i < changes.size(); ++i) subjects_of(i, record);
            RETURN_IF_ERROR(record.Record(tx));
          } else {
            for (size_t i = 0; i < changes.size(); ++i) {
              AuditRecord record = begin();
              record.SetObjectId(changes[i].first.action().action_id());
              record.SetResultCount(1);
              subjects_of(i, record);
              RETURN_IF_ERROR(record.Record(tx));
            }
          }
          for (auto& [event, unused] : changes) events.push_back(std::move(event));
          return absl::OkStatus();
        }));
        // Only once the deliveries are recorded (committed) does the position move.
        *position = through;
        for (v1::ActionEvent& e : events) *e.mutable_action() = WithOverdue(e.action(), today);
        return events;
      });
}

}  // namespace hartslag::cases
