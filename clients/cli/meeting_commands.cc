// hartslag meeting: the two weekly meetings, their agendas and decisions.
//
//   hartslag meeting schedule --kind leefbaarheid --area A --at "2026-12-02 14:00" [--weeks N]
//                             [--chair U] [--orgs a,b]
//   hartslag meeting show --id ID                   the agenda (needs --purpose)
//   hartslag meeting agenda --id ID generate | add --case C | remove --item I | move --item I --to N
//   hartslag meeting decide --id ID --item I --decision D [--rationale R] [--next-review YYYY-MM-DD]
//                           [--risk high --risk-reason R] [--actions "orgs|YYYY-MM-DD|description;..."]
//   hartslag meeting list [--from "2026-12-01 00:00"] [--to ...] [--kind casuistiek]
//   hartslag meeting close --id ID
//   hartslag meeting correct --id ID [--item I] --text T   a correction to closed minutes
//   hartslag meeting export --id ID [--format markdown|html] [--out FILE]
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/all_pages.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = cases::v1;

absl::StatusOr<Connection> Connect(Flags& flags, const std::vector<std::string>& args) {
  return Connection::Parse(flags, args, "HARTSLAG_CASES_ADDR", "localhost:7403");
}

void PrintMeeting(const v1::Meeting& m) {
  std::printf("%s %s, %s, chair %s%s  (id %s)\n",
              m.kind() == v1::CASE_KIND_CASUISTIEK ? "Casuïstiekoverleg" : "Leefbaarheidsoverleg",
              (m.area().name().empty() ? m.area().area_id() : m.area().name()).c_str(), LocalTime(m.starts_at()).c_str(), m.chair().c_str(),
              m.status() == v1::MEETING_STATUS_CLOSED ? ", gesloten" : "", m.meeting_id().c_str());
  int n = 0;
  for (const auto& item : m.items()) {
    std::vector<std::string> reasons;
    for (int r : item.reasons()) reasons.push_back(EnumLabel(v1::AgendaReason_Name(r), "AGENDA_REASON_"));
    std::printf("  %d. %s %s  [%s]  (item %s)\n", ++n, item.case_reference().c_str(), item.case_title().c_str(),
                absl::StrJoin(reasons, ", ").c_str(), item.item_id().c_str());
    if (!item.decision().empty()) std::printf("     besluit: %s\n", item.decision().c_str());
    for (const auto& a : item.actions()) {
      std::printf("     actie: %s (%s, gereed %s)  (action %s)\n", a.description().c_str(),
                  absl::StrJoin(a.organisation_ids(), ", ").c_str(), a.due_date().c_str(), a.action_id().c_str());
    }
  }
}

// A response's meetings, or with --json the response itself.
template <typename Response>
void PrintMeetings(const Flags& flags, const Response& response) {
  if (flags.GetBool("json")) return PrintJson(response);
  for (const auto& m : response.meetings()) PrintMeeting(m);
}

template <typename Request, typename Call>
absl::Status Send(const Flags& flags, const Connection& c, const Request& request, Call call) {
  v1::Meeting meeting;
  auto stub = v1::MeetingService::NewStub(c.channel());
  RETURN_IF_ERROR(FromGrpcStatus(((*stub).*call)(c.NewCall().get(), request, &meeting)));
  if (flags.GetBool("json")) PrintJson(meeting); else PrintMeeting(meeting);
  return absl::OkStatus();
}

absl::Status Schedule(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting schedule", "schedule a meeting or a weekly series");
  flags.Add("kind", "", "", "leefbaarheid or casuistiek");
  flags.Add("area", "", "", "area id");
  flags.Add("at", "", "", "when, e.g. \"2026-12-02 14:00\"");
  flags.Add("weeks", "", "1", "how many weekly meetings");
  flags.Add("chair", "", "", "the chair (default: you)");
  flags.Add("orgs", "", "", "participating organisations, comma-separated");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::ScheduleMeetingsRequest request;
  request.set_request_id(RequestIdOf(flags));
  ASSIGN_OR_RETURN(v1::CaseKind kind, ParseEnumFlag<v1::CaseKind>("kind", flags.Get("kind"), "CASE_KIND_",
                                                                   v1::CaseKind_Parse));
  request.set_kind(kind);
  request.set_area_id(flags.Get("area"));
  ASSIGN_OR_RETURN(absl::Time at, ParseTimeFlag("at", flags.Get("at")));
  *request.mutable_starts_at() = TimeToProto(at);
  ASSIGN_OR_RETURN(int weeks, flags.GetInt("weeks"));
  request.set_weeks(weeks);
  request.set_chair(flags.Get("chair"));
  for (const std::string& org : ListFlag(flags.Get("orgs"))) request.add_participating_organisations(org);
  v1::ScheduleMeetingsResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(v1::MeetingService::NewStub(c.channel())->ScheduleMeetings(c.NewCall().get(), request, &response)));
  PrintMeetings(flags, response);
  return absl::OkStatus();
}

absl::Status List(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting list", "the meetings of your areas or organisation, soonest first");
  flags.Add("from", "", "", "from, e.g. \"2026-12-01 00:00\" (default: now)");
  flags.Add("to", "", "", "until (default: eight weeks on)");
  flags.Add("kind", "", "", "only leefbaarheid or casuistiek");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::ListMeetingsRequest request;
  if (!flags.Get("from").empty()) {
    ASSIGN_OR_RETURN(absl::Time from, ParseTimeFlag("from", flags.Get("from")));
    *request.mutable_from() = TimeToProto(from);
  }
  if (!flags.Get("to").empty()) {
    ASSIGN_OR_RETURN(absl::Time to, ParseTimeFlag("to", flags.Get("to")));
    *request.mutable_to() = TimeToProto(to);
  }
  if (!flags.Get("kind").empty()) {
    ASSIGN_OR_RETURN(v1::CaseKind kind, ParseEnumFlag<v1::CaseKind>("kind", flags.Get("kind"), "CASE_KIND_",
                                                                     v1::CaseKind_Parse));
    request.set_kind(kind);
  }
  v1::ListMeetingsResponse response;
  auto stub = v1::MeetingService::NewStub(c.channel());
  RETURN_IF_ERROR(AllPages(request, response, [&](const auto& page_request, auto& page) {
    return FromGrpcStatus(stub->ListMeetings(c.NewCall().get(), page_request, &page));
  }));
  PrintMeetings(flags, response);
  return absl::OkStatus();
}

absl::Status Show(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting show", "a meeting with its agenda (needs --purpose)");
  flags.Add("id", "", "", "the meeting id");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::GetMeetingRequest request;
  request.set_meeting_id(flags.Get("id"));
  return Send(flags, c, request, &v1::MeetingService::Stub::GetMeeting);
}

absl::Status Agenda(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting agenda", "generate | add --case C | remove --item I | move --item I --to N");
  flags.Add("id", "", "", "the meeting id");
  flags.Add("case", "", "", "add: the case id");
  flags.Add("item", "", "", "remove, move: the item id");
  flags.Add("to", "", "0", "move: the new position, 0 first");
  if (args.empty()) return absl::InvalidArgumentError("agenda: generate, add, remove or move");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, {args.begin() + 1, args.end()}));
  v1::EditAgendaRequest request;
  request.set_meeting_id(flags.Get("id"));
  ASSIGN_OR_RETURN(v1::EditAgendaRequest::Edit edit,
                   ParseEnumFlag<v1::EditAgendaRequest::Edit>("edit", args[0], "EDIT_",
                                                              v1::EditAgendaRequest::Edit_Parse));
  request.set_edit(edit);
  request.set_case_id(flags.Get("case"));
  request.set_item_id(flags.Get("item"));
  ASSIGN_OR_RETURN(int to, flags.GetInt("to"));
  request.set_position(to);
  return Send(flags, c, request, &v1::MeetingService::Stub::EditAgenda);
}

absl::Status Decide(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting decide", "record the meeting's decision on one item");
  flags.Add("id", "", "", "the meeting id");
  flags.Add("item", "", "", "the item id");
  flags.Add("decision", "", "", "the decision (besluit)");
  flags.Add("rationale", "", "", "why");
  flags.Add("next-review", "", "", "the case's next review, YYYY-MM-DD");
  flags.Add("risk", "", "", "new risk tier: high, medium or low");
  flags.Add("risk-reason", "", "", "why that tier");
  flags.Add("actions", "", "", "new actions: \"org,org|YYYY-MM-DD|description;...\"");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::DecideItemRequest request;
  request.set_request_id(RequestIdOf(flags));
  request.set_meeting_id(flags.Get("id"));
  request.set_item_id(flags.Get("item"));
  request.set_decision(flags.Get("decision"));
  request.set_rationale(flags.Get("rationale"));
  request.set_next_review_date(flags.Get("next-review"));
  if (!flags.Get("risk").empty()) {
    ASSIGN_OR_RETURN(v1::RiskTier tier, ParseEnumFlag<v1::RiskTier>("risk", flags.Get("risk"), "RISK_TIER_",
                                                                      v1::RiskTier_Parse));
    request.set_risk_tier(tier);
    request.set_risk_reason(flags.Get("risk-reason"));
  }
  for (absl::string_view entry : absl::StrSplit(flags.Get("actions"), ';', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(entry, absl::MaxSplits('|', 2));
    if (parts.size() != 3) return absl::InvalidArgumentError("--actions: use \"org,org|YYYY-MM-DD|description;...\"");
    v1::CreateActionRequest* action = request.add_actions();
    for (const std::string& org : ListFlag(parts[0])) action->add_organisation_ids(org);
    action->set_due_date(parts[1]);
    action->set_description(parts[2]);
  }
  return Send(flags, c, request, &v1::MeetingService::Stub::DecideItem);
}

absl::Status Export(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting export", "the agenda or minutes as a document (needs --purpose)");
  flags.Add("id", "", "", "the meeting id");
  flags.Add("format", "", "markdown", "markdown or html");
  flags.Add("out", "", "", "write to this file (default: print)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::ExportMeetingRequest request;
  request.set_meeting_id(flags.Get("id"));
  ASSIGN_OR_RETURN(v1::DocumentFormat format, ParseEnumFlag<v1::DocumentFormat>("format", flags.Get("format"),
                                                                                 "DOCUMENT_FORMAT_",
                                                                                 v1::DocumentFormat_Parse));
  request.set_format(format);
  v1::MeetingDocument doc;
  RETURN_IF_ERROR(FromGrpcStatus(v1::MeetingService::NewStub(c.channel())->ExportMeeting(c.NewCall().get(), request, &doc)));
  if (flags.Get("out").empty()) {
    std::fputs(doc.content().c_str(), stdout);
    return absl::OkStatus();
  }
  std::ofstream out(flags.Get("out"));
  if (!(out << doc.content())) return absl::InvalidArgumentError(absl::StrCat("--out: cannot write ", flags.Get("out")));
  std::printf("%s written (suggested name %s)\n", flags.Get("out").c_str(), doc.file_name().c_str());
  return absl::OkStatus();
}

absl::Status Correct(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting correct", "add a correction to closed minutes");
  flags.Add("id", "", "", "the meeting id");
  flags.Add("item", "", "", "the item corrected (default: the minutes as a whole)");
  flags.Add("text", "", "", "the correction");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::CorrectMinutesRequest request;
  request.set_request_id(RequestIdOf(flags));
  request.set_meeting_id(flags.Get("id"));
  request.set_item_id(flags.Get("item"));
  request.set_text(flags.Get("text"));
  return Send(flags, c, request, &v1::MeetingService::Stub::CorrectMinutes);
}

absl::Status Close(const std::vector<std::string>& args) {
  Flags flags("hartslag meeting close", "close the meeting: its minutes are fixed");
  flags.Add("id", "", "", "the meeting id");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::CloseMeetingRequest request;
  request.set_meeting_id(flags.Get("id"));
  return Send(flags, c, request, &v1::MeetingService::Stub::CloseMeeting);
}

}  // namespace

absl::Status MeetingCommand(const std::vector<std::string>& args) {
  using Command = absl::Status (*)(const std::vector<std::string>&);
  const std::vector<std::pair<std::string, Command>> commands = {
      {"schedule", Schedule}, {"list", List},   {"show", Show},   {"agenda", Agenda},
      {"decide", Decide},     {"close", Close}, {"correct", Correct}, {"export", Export}};
  for (const auto& [name, command] : commands) {
    if (!args.empty() && args[0] == name) return command({args.begin() + 1, args.end()});
  }
  std::printf("usage: hartslag meeting schedule|list|show|agenda|decide|close|correct|export [flags] (each with --help)\n");
  return absl::InvalidArgumentError("missing or unknown meeting subcommand");
}

}  // namespace hartslag::cli
