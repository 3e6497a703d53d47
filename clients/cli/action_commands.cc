// hartslag action: the actions partners carry out on cases.
//
//   hartslag action create --case ID --description D --orgs a,b --due YYYY-MM-DD [--assignee U]
//                          [--addresses "street|number|postcode;..."]
//   hartslag action mine [--status S] [--overdue]       your organisation's actions
//   hartslag action list --case ID                      a case's actions
//   hartslag action update --id ID [--status in_progress|done|cancelled] [--result R]
//                          [--finding "index|text"]
//   hartslag action watch [--cursor C | --cursor-file F] [--from-beginning] [--count N] [--for 30s]
//                                                       follow your organisation's actions live
#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "clients/cpp/action_follower.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/all_pages.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = cases::v1;

absl::StatusOr<Connection> Connect(Flags& flags, const Args& args, Shape shape = Shape::kObject) {
  return Connection::Parse(flags, args, "HARTSLAG_CASES_ADDR", "localhost:7403", shape);
}

void PrintAction(const v1::Action& a) {
  std::printf("actie %s op %s: %s, gereed %s%s\n", a.action_id().c_str(), a.case_reference().c_str(),
              EnumLabel(v1::ActionStatus_Name(a.status()), "ACTION_STATUS_").c_str(), a.due_date().c_str(),
              a.overdue() ? " (te laat)" : "");
  for (int i = 0; i < a.addresses_size(); ++i) {
    const auto& address = a.addresses(i).address();
    std::printf("  [%d] %s %d%s: %s\n", i, address.street().c_str(), address.house_number(),
                address.house_number_addition().c_str(), a.addresses(i).finding().c_str());
  }
  if (!a.result().empty()) std::printf("  resultaat: %s\n", a.result().c_str());
}

absl::Status Create(const Args& args) {
  Flags flags("hartslag action create", "give organisations an action on a case");
  flags.Add("case", "", "", "the case id");
  flags.Add("description", "", "", "what is to be done");
  flags.Add("orgs", "", "", "the organisations, comma-separated");
  flags.Add("assignee", "", "", "optionally the person (user id)");
  flags.Add("due", "", "", "due date, YYYY-MM-DD");
  flags.Add("addresses", "", "", "a joint action's addresses: \"street|number|postcode;...\" (city Heerlen)");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"case"}));
  v1::CreateActionRequest request;
  request.set_request_id(RequestIdOf(flags));
  request.set_case_id(flags.Get("case"));
  request.set_description(flags.Get("description"));
  for (const std::string& org : ListFlag(flags.Get("orgs"))) request.add_organisation_ids(org);
  request.set_assignee(flags.Get("assignee"));
  request.set_due_date(flags.Get("due"));
  for (absl::string_view entry : absl::StrSplit(flags.Get("addresses"), ';', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(entry, '|');
    int number = 0;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &number)) {
      return UsageError("--addresses: gebruik \"straat|nummer|postcode;...\"");
    }
    auto* address = request.add_addresses();
    address->set_street(parts[0]);
    address->set_house_number(number);
    address->set_postcode(parts[2]);
    address->set_city("Heerlen");
  }
  v1::Action action;
  RETURN_IF_ERROR(FromGrpcStatus(v1::ActionService::NewStub(c.channel())->CreateAction(c.NewCall().get(), request, &action)));
  PrintObject(flags, action, PrintAction);
  return absl::OkStatus();
}

absl::Status List(const Args& args, bool mine) {
  Flags flags(mine ? "hartslag action mine" : "hartslag action list",
              mine ? "your organisation's actions, soonest due first" : "a case's actions");
  if (!mine) flags.Add("case", "", "", "the case id");
  flags.Add("status", "", "", "only open, in_progress, done or cancelled");
  flags.AddBool("overdue", "", false, "only overdue actions");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
  if (!mine) RETURN_IF_ERROR(Required(flags, {"case"}));
  v1::ListActionsRequest request;
  request.set_mine(mine);
  if (!mine) request.set_case_id(flags.Get("case"));
  if (!flags.Get("status").empty()) {
    ASSIGN_OR_RETURN(v1::ActionStatus status, ParseEnumFlag<v1::ActionStatus>("status", flags.Get("status"),
                                                                               "ACTION_STATUS_", v1::ActionStatus_Parse));
    request.set_status(status);
  }
  request.set_overdue_only(flags.GetBool("overdue"));
  v1::ListActionsResponse response;
  auto stub = v1::ActionService::NewStub(c.channel());
  RETURN_IF_ERROR(AllPages(request, response, [&](const auto& page_request, auto& page) {
    return FromGrpcStatus(stub->ListActions(c.NewCall().get(), page_request, &page));
  }));
  Rows rows;
  for (const v1::Action& a : response.actions()) {
    rows.push_back({a.case_reference(), a.due_date() + (a.overdue() ? " (te laat)" : ""),
                    EnumLabel(v1::ActionStatus_Name(a.status()), "ACTION_STATUS_"),
                    absl::StrJoin(a.organisation_ids(), ","), a.description(), a.action_id()});
  }
  PrintList(flags, response, {"CASUS", "GEREED", "STATUS", "ORGANISATIES", "OMSCHRIJVING", "ID"}, rows);
  return absl::OkStatus();
}

absl::Status Update(const Args& args) {
  Flags flags("hartslag action update", "move an action on and record what was found");
  flags.Add("id", "", "", "the action id");
  flags.Add("status", "", "", "in_progress, done or cancelled");
  flags.Add("result", "", "", "what came of it (required for done)");
  flags.Add("finding", "", "", "a finding at one address: \"index|text\"");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id"}));
  v1::UpdateActionRequest request;
  request.set_action_id(flags.Get("id"));
  if (!flags.Get("status").empty()) {
    ASSIGN_OR_RETURN(v1::ActionStatus status, ParseEnumFlag<v1::ActionStatus>("status", flags.Get("status"),
                                                                               "ACTION_STATUS_", v1::ActionStatus_Parse));
    request.set_status(status);
  }
  request.set_result(flags.Get("result"));
  if (!flags.Get("finding").empty()) {
    std::vector<std::string> parts = absl::StrSplit(flags.Get("finding"), absl::MaxSplits('|', 1));
    int index = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &index)) {
      return UsageError("--finding: gebruik \"index|tekst\"");
    }
    (*request.mutable_findings())[index] = parts[1];
  }
  v1::Action action;
  RETURN_IF_ERROR(FromGrpcStatus(v1::ActionService::NewStub(c.channel())->UpdateAction(c.NewCall().get(), request, &action)));
  PrintObject(flags, action, PrintAction);
  return absl::OkStatus();
}

// The cursor of the last event processed, kept across runs.
// Follows the stream with the client library's follower (reconnecting from
// the last cursor when the connection drops, reading --token-file again when
// the token expires) until --count events or --for time have passed (or
// forever).
absl::Status Watch(const Args& args) {
  Flags flags("hartslag action watch",
              "follow your organisation's actions as they are given and changed (needs --purpose)");
  flags.Add("cursor", "", "", "start after the event with this cursor (default: from now on)");
  flags.AddBool("from-beginning", "", false, "without a cursor: replay your organisation's actions from the first");
  flags.Add("cursor-file", "", "", "resume from the cursor in this file, and keep the last one processed there");
  flags.Add("count", "", "0", "stop after this many events (0: keep watching)");
  flags.Add("for", "", "", "stop after this long, e.g. 30s (default: keep watching)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  if (!c.tokens()) return UsageError("--token of --token-file ontbreekt");
  ASSIGN_OR_RETURN(int count, flags.GetInt("count"));
  client::ActionFollowerOptions options;
  options.cursor_file = flags.Get("cursor-file");
  options.cursor = flags.Get("cursor");
  options.from_beginning = flags.GetBool("from-beginning");
  if (!c.session().options().purpose.empty()) options.purpose = c.session().options().purpose;
  if (!options.cursor.empty() && !options.cursor_file.empty() && std::filesystem::exists(options.cursor_file)) {
    return UsageError("--cursor en --cursor-file: het bestand heeft al een cursor; geef er één");
  }
  client::ActionFollower follower(c.channel(), c.tokens(), options);
  absl::Notification finished;
  std::thread timer;
  if (!flags.Get("for").empty()) {
    ASSIGN_OR_RETURN(absl::Duration limit, flags.GetDuration("for"));
    timer = std::thread([&follower, &finished, limit] {
      if (!finished.WaitForNotificationWithTimeout(limit)) follower.Stop();
    });
  }
  int seen = 0;
  absl::Status ended = follower.Run([&](const v1::ActionEvent& e) {
    if (FormatOf(flags) == Format::kJson) {
      PrintJson(e);
    } else {
      const v1::Action& a = e.action();
      std::printf("%s %s %s %s gereed %s [%s] %s  (actie %s)\n", e.cursor().c_str(),
                  EnumLabel(v1::ActionEvent::Change_Name(e.change()), "CHANGE_").c_str(),
                  a.case_reference().c_str(), EnumLabel(v1::ActionStatus_Name(a.status()), "ACTION_STATUS_").c_str(),
                  a.due_date().c_str(), absl::StrJoin(a.organisation_ids(), ",").c_str(), a.description().c_str(),
                  a.action_id().c_str());
    }
    std::fflush(stdout);
    if (count > 0 && ++seen >= count) follower.Stop();
    return absl::OkStatus();
  });
  finished.Notify();
  if (timer.joinable()) timer.join();
  return ended;
}

}  // namespace

std::vector<Command> ActionCommands() {
  return {{"create", "organisaties een actie op een casus geven", Create},
          {"mine", "de acties van uw organisatie, eerst af te ronden eerst",
           [](const Args& args) { return List(args, /*mine=*/true); }},
          {"list", "de acties van een casus (--case)", [](const Args& args) { return List(args, /*mine=*/false); }},
          {"update", "een actie verder zetten en vastleggen wat er gevonden is", Update},
          {"watch", "de acties van uw organisatie live volgen (vraagt --purpose)", Watch}};
}

}  // namespace hartslag::cli
