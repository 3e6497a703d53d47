// hartslag meeting: the two weekly meetings, their agendas and decisions.
//
//   hartslag meeting schedule --kind leefbaarheid --area A --at "2026-12-02 14:00" [--weeks N]
//                             [--chair U] [--orgs a,b]
//   hartslag meeting show|get ID [--view-as ORG]    the agenda (needs --purpose); with --view-as as a
//                                                   partner of ORG sees it (purpose MEETING)
//   hartslag meeting agenda generate|add|remove|move --id ID [--case C] [--item I] [--to N]
//   hartslag meeting decide --id ID --item I --decision D [--rationale R] [--next-review YYYY-MM-DD]
//                           [--risk high --risk-reason R] [--actions "orgs|YYYY-MM-DD|description;..."]
//   hartslag meeting list [--from "2026-12-01 00:00"] [--to ...] [--kind casuistiek]
//   hartslag meeting close --id ID
//   hartslag meeting correct --id ID [--item I] --text T   a correction to closed minutes
//   hartslag meeting export ID [--format markdown|html] [--out FILE] [--view-as ORG]
//   hartslag meeting attendance ID --attendee "Naam:organisation_id" [--attendee ...]
//   hartslag meeting approve ID --in LATER_ID       approve closed minutes in a later meeting
// A meeting is named by --id or as the first argument.
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

absl::StatusOr<Connection> Connect(Flags& flags, const Args& args, Shape shape = Shape::kObject) {
  return Connection::Parse(flags, args, "HARTSLAG_CASES_ADDR", "localhost:7403", shape);
}

std::string KindName(const v1::Meeting& m) {
  return m.kind() == v1::CASE_KIND_CASUISTIEK ? "Casuïstiekoverleg" : "Leefbaarheidsoverleg";
}

void PrintMeeting(const v1::Meeting& m) {
  std::printf("%s %s, %s, voorzitter %s%s  (id %s)\n", KindName(m).c_str(),
              (m.area().name().empty() ? m.area().area_id() : m.area().name()).c_str(), LocalTime(m.starts_at()).c_str(), m.chair().c_str(),
              m.status() == v1::MEETING_STATUS_CLOSED ? ", gesloten" : "", m.meeting_id().c_str());
  int n = 0;
  for (const auto& item : m.items()) {
    std::vector<std::string> reasons;
    for (int r : item.reasons()) reasons.push_back(EnumLabel(v1::AgendaReason_Name(r), "AGENDA_REASON_"));
    std::printf("  %d. %s %s  [%s]  (punt %s)\n", ++n, item.case_reference().c_str(), item.case_title().c_str(),
                absl::StrJoin(reasons, ", ").c_str(), item.item_id().c_str());
    if (!item.decision().empty()) std::printf("     besluit: %s\n", item.decision().c_str());
    for (const auto& a : item.actions()) {
      std::printf("     actie: %s (%s, gereed %s)  (actie %s)\n", a.description().c_str(),
                  absl::StrJoin(a.organisation_ids(), ", ").c_str(), a.due_date().c_str(), a.action_id().c_str());
    }
  }
  if (m.attendees_size() > 0) {
    std::vector<std::string> present;
    for (const auto& a : m.attendees()) {
      present.push_back(absl::StrCat(a.name(), " (", a.organisation_name().empty() ? a.organisation_id()
                                                                                    : a.organisation_name(), ")"));
    }
    std::printf("  aanwezig: %s\n", absl::StrJoin(present, ", ").c_str());
  }
  if (m.has_minutes_approved_at()) {
    std::printf("  notulen vastgesteld %s in overleg %s\n", LocalTime(m.minutes_approved_at()).c_str(),
                m.minutes_approved_in().c_str());
  } else if (m.status() == v1::MEETING_STATUS_CLOSED) {
    std::printf("  notulen: concept, nog niet vastgesteld\n");
  }
}

// The meeting named by --id or as the first argument.
absl::StatusOr<std::string> MeetingIdOf(const Flags& flags) {
  if (!flags.Get("id").empty()) return flags.Get("id");
  if (flags.positionals().size() == 1) return flags.positionals()[0];
  return UsageError("geef één overleg: als argument of met --id");
}

template <typename Request, typename Call>
absl::Status Send(const Flags& flags, const Connection& c, const Request& request, Call call) {
  v1::Meeting meeting;
  auto stub = v1::MeetingService::NewStub(c.channel());
  RETURN_IF_ERROR(FromGrpcStatus(((*stub).*call)(c.NewCall().get(), request, &meeting)));
  PrintObject(flags, meeting, PrintMeeting);
  return absl::OkStatus();
}

absl::Status Schedule(const Args& args) {
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
  PrintObject(flags, response, [](const v1::ScheduleMeetingsResponse& r) {
    for (const auto& m : r.meetings()) PrintMeeting(m);
  });
  return absl::OkStatus();
}

absl::Status List(const Args& args) {
  Flags flags("hartslag meeting list", "the meetings of your areas or organisation, soonest first");
  flags.Add("from", "", "", "from, e.g. \"2026-12-01 00:00\" (default: now)");
  flags.Add("to", "", "", "until (default: eight weeks on)");
  flags.Add("kind", "", "", "only leefbaarheid or casuistiek");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
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
  Rows rows;
  for (const v1::Meeting& m : response.meetings()) {
    rows.push_back({LocalTime(m.starts_at()), KindName(m), m.area().name().empty() ? m.area().area_id() : m.area().name(),
                    m.chair(), m.status() == v1::MEETING_STATUS_CLOSED ? "gesloten" : "open",
                    absl::StrCat(m.items_size()), m.meeting_id()});
  }
  PrintList(flags, response, {"WANNEER", "OVERLEG", "GEBIED", "VOORZITTER", "STATUS", "PUNTEN", "ID"}, rows);
  return absl::OkStatus();
}

absl::Status Show(const Args& args) {
  Flags flags("hartslag meeting show", "a meeting with its agenda (needs --purpose)");
  flags.Add("id", "", "", "the meeting id (or give it as the argument)");
  flags.Add("view-as", "", "", "as a partner of this organisation sees it (for the chair; purpose MEETING)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  ASSIGN_OR_RETURN(std::string id, MeetingIdOf(flags));
  v1::GetMeetingRequest request;
  request.set_meeting_id(id);
  request.set_view_as_organisation_id(flags.Get("view-as"));
  return Send(flags, c, request, &v1::MeetingService::Stub::GetMeeting);
}

absl::Status Agenda(v1::EditAgendaRequest::Edit edit, const Args& args) {
  std::string name = EnumLabel(v1::EditAgendaRequest::Edit_Name(edit), "EDIT_");
  Flags flags("hartslag meeting agenda " + name, "change a meeting's agenda");
  flags.Add("id", "", "", "the meeting id");
  if (edit == v1::EditAgendaRequest::EDIT_ADD) flags.Add("case", "", "", "the case id");
  if (edit == v1::EditAgendaRequest::EDIT_REMOVE || edit == v1::EditAgendaRequest::EDIT_MOVE) {
    flags.Add("item", "", "", "the item id");
  }
  if (edit == v1::EditAgendaRequest::EDIT_MOVE) flags.Add("to", "", "0", "the new position, 0 first");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id"}));
  v1::EditAgendaRequest request;
  request.set_meeting_id(flags.Get("id"));
  request.set_edit(edit);
  if (edit == v1::EditAgendaRequest::EDIT_ADD) request.set_case_id(flags.Get("case"));
  if (edit == v1::EditAgendaRequest::EDIT_REMOVE || edit == v1::EditAgendaRequest::EDIT_MOVE) {
    request.set_item_id(flags.Get("item"));
  }
  if (edit == v1::EditAgendaRequest::EDIT_MOVE) {
    ASSIGN_OR_RETURN(int to, flags.GetInt("to"));
    request.set_position(to);
  }
  return Send(flags, c, request, &v1::MeetingService::Stub::EditAgenda);
}

absl::Status Decide(const Args& args) {
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
  RETURN_IF_ERROR(Required(flags, {"id", "item"}));
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
    if (parts.size() != 3) return UsageError("--actions: gebruik \"org,org|JJJJ-MM-DD|omschrijving;...\"");
    v1::CreateActionRequest* action = request.add_actions();
    for (const std::string& org : ListFlag(parts[0])) action->add_organisation_ids(org);
    action->set_due_date(parts[1]);
    action->set_description(parts[2]);
  }
  return Send(flags, c, request, &v1::MeetingService::Stub::DecideItem);
}

absl::Status Export(const Args& args) {
  Flags flags("hartslag meeting export", "the agenda or minutes as a document (needs --purpose)");
  flags.Add("id", "", "", "the meeting id (or give it as the argument)");
  flags.Add("format", "", "markdown", "markdown or html");
  flags.Add("out", "", "", "write to this file (default: print)");
  flags.Add("view-as", "", "", "the document as a partner of this organisation gets it (for the chair)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  ASSIGN_OR_RETURN(std::string id, MeetingIdOf(flags));
  v1::ExportMeetingRequest request;
  request.set_meeting_id(id);
  request.set_view_as_organisation_id(flags.Get("view-as"));
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
  if (!(out << doc.content())) return absl::InvalidArgumentError(absl::StrCat("--out: kan ", flags.Get("out"), " niet schrijven"));
  std::printf("%s geschreven (voorgestelde naam %s)\n", flags.Get("out").c_str(), doc.file_name().c_str());
  return absl::OkStatus();
}

absl::Status Correct(const Args& args) {
  Flags flags("hartslag meeting correct", "add a correction to closed minutes");
  flags.Add("id", "", "", "the meeting id");
  flags.Add("item", "", "", "the item corrected (default: the minutes as a whole)");
  flags.Add("text", "", "", "the correction");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id", "text"}));
  v1::CorrectMinutesRequest request;
  request.set_request_id(RequestIdOf(flags));
  request.set_meeting_id(flags.Get("id"));
  request.set_item_id(flags.Get("item"));
  request.set_text(flags.Get("text"));
  return Send(flags, c, request, &v1::MeetingService::Stub::CorrectMinutes);
}

absl::Status Close(const Args& args) {
  Flags flags("hartslag meeting close", "close the meeting: its minutes are fixed");
  flags.Add("id", "", "", "the meeting id");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id"}));
  v1::CloseMeetingRequest request;
  request.set_meeting_id(flags.Get("id"));
  return Send(flags, c, request, &v1::MeetingService::Stub::CloseMeeting);
}

absl::Status Attendance(const Args& args) {
  Flags flags("hartslag meeting attendance", "record who attended (replaces what was recorded)");
  flags.Add("id", "", "", "the meeting id (or give it as the argument)");
  flags.Add("attendee", "", "", "\"Naam:organisation_id\"; give it once per person");
  // Flags keeps one value per name: the --attendee values are taken out
  // first, in order.
  std::vector<std::string> attendees, rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--attendee") {
      if (i + 1 >= args.size()) return UsageError("--attendee heeft een waarde nodig");
      attendees.push_back(args[++i]);
    } else if (args[i].rfind("--attendee=", 0) == 0) {
      attendees.push_back(args[i].substr(std::string("--attendee=").size()));
    } else {
      rest.push_back(args[i]);
    }
  }
  ASSIGN_OR_RETURN(Connection c, Connect(flags, rest));
  ASSIGN_OR_RETURN(std::string id, MeetingIdOf(flags));
  v1::SetAttendanceRequest request;
  request.set_meeting_id(id);
  for (const std::string& entry : attendees) {
    // The name may hold a colon; the organisation id never does.
    size_t colon = entry.rfind(':');
    if (colon == std::string::npos) return UsageError("--attendee: gebruik \"Naam:organisatie-id\"");
    v1::Attendee* a = request.add_attendees();
    a->set_name(entry.substr(0, colon));
    a->set_organisation_id(entry.substr(colon + 1));
  }
  return Send(flags, c, request, &v1::MeetingService::Stub::SetAttendance);
}

absl::Status Approve(const Args& args) {
  Flags flags("hartslag meeting approve", "approve (vaststellen) closed minutes in a later meeting");
  flags.Add("id", "", "", "the meeting whose minutes are approved (or give it as the argument)");
  flags.Add("in", "", "", "the later meeting of the same kind and area that approves them");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  ASSIGN_OR_RETURN(std::string id, MeetingIdOf(flags));
  RETURN_IF_ERROR(Required(flags, {"in"}));
  v1::ApproveMinutesRequest request;
  request.set_meeting_id(id);
  request.set_approved_in_meeting_id(flags.Get("in"));
  return Send(flags, c, request, &v1::MeetingService::Stub::ApproveMinutes);
}

}  // namespace

std::vector<Command> MeetingCommands() {
  using Request = v1::EditAgendaRequest;
  auto agenda = [](Request::Edit edit) { return [edit](const Args& args) { return Agenda(edit, args); }; };
  return {{"schedule", "een overleg of een wekelijkse reeks plannen", Schedule},
          {"list", "de overleggen van uw gebieden of organisatie, eerstvolgende eerst", List},
          {"show", "een overleg met zijn agenda (vraagt --purpose)", Show},
          {"get", "hetzelfde als show; --view-as toont het als een partner het ziet", Show},
          {"agenda", "de agenda van een overleg aanpassen", nullptr,
           {{"generate", "de agenda opstellen uit de casussen die aan de beurt zijn", agenda(Request::EDIT_GENERATE)},
            {"add", "een casus op de agenda zetten (--case)", agenda(Request::EDIT_ADD)},
            {"remove", "een punt van de agenda halen (--item)", agenda(Request::EDIT_REMOVE)},
            {"move", "een punt verplaatsen (--item, --to)", agenda(Request::EDIT_MOVE)}}},
          {"decide", "het besluit over één agendapunt vastleggen", Decide},
          {"close", "het overleg sluiten: het verslag ligt dan vast", Close},
          {"correct", "een correctie op een vastgesteld verslag", Correct},
          {"export", "agenda of verslag als document (vraagt --purpose)", Export},
          {"attendance", "vastleggen wie aanwezig waren (--attendee \"Naam:organisatie\", herhaalbaar)", Attendance},
          {"approve", "het verslag vaststellen in een later overleg (--in)", Approve}};
}

}  // namespace hartslag::cli
