// hartslag case: open, read and steer cases.
//
//   hartslag case open --kind casuistiek --title T --area A [--persons "naam|jaar|rol;..."]
//                      [--street S --house-number N --postcode P] [--participants a,b] ...
//   hartslag case get --id ID | --reference CS-2026-000001 [--break-glass REASON]
//   hartslag case list [--kind K] [--status S] [--area A]
//   hartslag case move --id ID --to triage|scheduled|in_progress|monitoring|closed --reason R [--result R]
//   hartslag case reopen --id ID --reason R
//   hartslag case update --id ID [--case-manager U] [--participants a,b] [--risk high --risk-reason R] ...
//   hartslag case note --id ID --visibility participants|coordination|care|police --text T
//   hartslag case break-glass-reviews
//
// Reading case data needs --purpose (or HARTSLAG_PURPOSE), e.g. MEETING_PREPARATION.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/all_pages.h"
#include "services/common/crypto.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = cases::v1;

constexpr char kServerEnv[] = "HARTSLAG_CASES_ADDR";
constexpr char kDefaultServer[] = "localhost:7403";

absl::StatusOr<Connection> Connect(Flags& flags, const Args& args, Shape shape = Shape::kObject) {
  return Connection::Parse(flags, args, kServerEnv, kDefaultServer, shape);
}

std::string Label(const std::string& name, const std::string& prefix) { return EnumLabel(name, prefix); }

void PrintCase(const v1::Case& c) {
  std::vector<std::vector<std::string>> rows = {
      {"referentie", c.reference()},
      {"titel", c.title()},
      {"soort", Label(v1::CaseKind_Name(c.kind()), "CASE_KIND_")},
      {"status", Label(v1::CaseStatus_Name(c.status()), "CASE_STATUS_")},
      {"gebied", c.area().name().empty() ? c.area().area_id() : c.area().name()},
      {"vertrouwelijkheid", Label(v1::Confidentiality_Name(c.confidentiality()), "CONFIDENTIALITY_")},
      {"procesregisseur", c.process_coordinator()},
  };
  if (!c.case_manager().empty()) rows.push_back({"casusregisseur", c.case_manager()});
  rows.push_back({"deelnemers", absl::StrJoin(c.participating_organisations(), ", ")});
  if (!c.members().empty()) rows.push_back({"leden", absl::StrJoin(c.members(), ", ")});
  if (c.has_address()) {
    const auto& a = c.address();
    rows.push_back({"adres", absl::StrCat(a.street(), " ", a.house_number(), a.house_number_addition(), ", ",
                                            a.postcode(), " ", a.city())});
  }
  for (const auto& p : c.persons()) {
    rows.push_back({"persoon", absl::StrCat(p.name(), p.birth_year() ? absl::StrCat(" (", p.birth_year(), ")") : "",
                                           p.role().empty() ? "" : ", " + p.role())});
  }
  if (c.risk_tier() != v1::RISK_TIER_UNSPECIFIED) {
    rows.push_back({"risico", absl::StrCat(Label(v1::RiskTier_Name(c.risk_tier()), "RISK_TIER_"), ": ",
                                         c.risk_reason())});
    rows.push_back({"evaluatie", LocalTime(c.next_review_at())});
  }
  for (const auto& g : c.plan()) {
    rows.push_back({"doel", absl::StrCat(g.goal(), " (", absl::StrJoin(g.organisation_ids(), ", "), ")")});
  }
  if (c.escalation() != v1::ESCALATION_UNSPECIFIED) {
    rows.push_back({"opgeschaald", absl::StrCat(Label(v1::Escalation_Name(c.escalation()), "ESCALATION_"),
                                              ": ", c.escalation_reason())});
  }
  if (c.result() != v1::CASE_RESULT_UNSPECIFIED) {
    rows.push_back({"resultaat", Label(v1::CaseResult_Name(c.result()), "CASE_RESULT_")});
  }
  rows.push_back({"id", c.case_id()});
  for (const auto& row : rows) std::printf("%-18s %s\n", row[0].c_str(), row[1].c_str());
}

template <typename Message, typename Print>
absl::Status Show(const Flags& flags, const Message& response, Print print) {
  PrintObject(flags, response, print);
  return absl::OkStatus();
}

absl::Status Open(const Args& args) {
  Flags flags("hartslag case open", "open a case in one of your areas");
  AddRequestIdFlag(flags);
  flags.Add("kind", "", "", "leefbaarheid or casuistiek");
  flags.Add("title", "", "", "a short title");
  flags.Add("area", "", "", "area id, e.g. vrieheide");
  flags.Add("street", "", "", "the address (leefbaarheid): street");
  flags.Add("house-number", "", "0", "house number");
  flags.Add("addition", "", "", "house letter or addition");
  flags.Add("postcode", "", "", "postcode");
  flags.Add("city", "", "Heerlen", "city");
  flags.Add("persons", "", "", "the household (casuistiek): \"name|birth year|role;...\"");
  flags.Add("participants", "", "", "participating organisations, comma-separated");
  flags.Add("confidentiality", "", "", "e.g. intern, zaakvertrouwelijk, vertrouwelijk, geheim");
  flags.Add("risk", "", "", "high, medium or low");
  flags.Add("risk-reason", "", "", "why that risk tier");
  flags.Add("signals", "", "", "ids of the signals that led to the case, comma-separated");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  v1::OpenCaseRequest request;
  request.set_request_id(RequestIdOf(flags));
  ASSIGN_OR_RETURN(v1::CaseKind kind, ParseEnumFlag<v1::CaseKind>("kind", flags.Get("kind"), "CASE_KIND_",
                                                                   v1::CaseKind_Parse));
  request.set_kind(kind);
  request.set_title(flags.Get("title"));
  request.set_area_id(flags.Get("area"));
  if (!flags.Get("street").empty()) {
    auto* a = request.mutable_address();
    a->set_street(flags.Get("street"));
    ASSIGN_OR_RETURN(int number, flags.GetInt("house-number"));
    a->set_house_number(number);
    a->set_house_number_addition(flags.Get("addition"));
    a->set_postcode(flags.Get("postcode"));
    a->set_city(flags.Get("city"));
  }
  RETURN_IF_ERROR(ParsePersonsFlag(flags.Get("persons"), request.mutable_persons()));
  for (const std::string& org : ListFlag(flags.Get("participants"))) request.add_participating_organisations(org);
  if (!flags.Get("confidentiality").empty()) {
    ASSIGN_OR_RETURN(v1::Confidentiality level,
                     ParseEnumFlag<v1::Confidentiality>("confidentiality", flags.Get("confidentiality"),
                                                        "CONFIDENTIALITY_", v1::Confidentiality_Parse));
    request.set_confidentiality(level);
  }
  if (!flags.Get("risk").empty()) {
    ASSIGN_OR_RETURN(v1::RiskTier tier, ParseEnumFlag<v1::RiskTier>("risk", flags.Get("risk"), "RISK_TIER_",
                                                                      v1::RiskTier_Parse));
    request.set_risk_tier(tier);
    request.set_risk_reason(flags.Get("risk-reason"));
  }
  for (const std::string& id : ListFlag(flags.Get("signals"))) request.add_signal_ids(id);
  v1::Case opened;
  RETURN_IF_ERROR(FromGrpcStatus(v1::CaseService::NewStub(c.channel())->OpenCase(c.NewCall().get(), request, &opened)));
  return Show(flags, opened, PrintCase);
}

absl::Status Get(const Args& args) {
  Flags flags("hartslag case get", "the one-screen summary of a case (needs --purpose)");
  flags.Add("id", "", "", "the case id");
  flags.Add("reference", "", "", "or its reference, e.g. CS-2026-000001");
  flags.Add("break-glass", "", "", "read outside your need-to-know, for this urgent reason (flagged, reviewed)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  if (flags.Get("id").empty() && flags.Get("reference").empty()) return UsageError("--id of --reference ontbreekt");
  v1::GetCaseRequest request;
  if (!flags.Get("id").empty()) request.set_case_id(flags.Get("id"));
  else request.set_reference(flags.Get("reference"));
  request.set_break_glass_reason(flags.Get("break-glass"));
  v1::CaseSummary summary;
  auto stub = v1::CaseService::NewStub(c.channel());
  RETURN_IF_ERROR(FromGrpcStatus(stub->GetCase(c.NewCall().get(), request, &summary)));
  if (!summary.next_notes_page_token().empty()) {  // the case's other notes
    v1::ListNotesRequest more;
    more.set_case_id(summary.case_().case_id());
    more.set_page_token(summary.next_notes_page_token());
    v1::ListNotesResponse notes;
    RETURN_IF_ERROR(AllPages(more, notes, [&](const auto& page_request, auto& page) {
      return FromGrpcStatus(stub->ListNotes(c.NewCall().get(), page_request, &page));
    }));
    summary.mutable_notes()->MergeFrom(notes.notes());
    summary.clear_next_notes_page_token();
  }
  return Show(flags, summary, [](const v1::CaseSummary& s) {
    PrintCase(s.case_());
    std::printf("\nnotities:\n");
    for (const auto& n : s.notes()) {
      std::printf("  %s  %s/%s  [%s]\n    %s\n", LocalTime(n.written_at()).c_str(),
                  n.author().organisation_id().c_str(), n.author().user_id().c_str(),
                  Label(v1::NoteVisibility_Name(n.visibility()), "NOTE_VISIBILITY_").c_str(), n.text().c_str());
    }
    std::printf("\ngeschiedenis:\n");
    if (s.earlier_history_omitted() > 0) {
      std::printf("  (%d eerdere wijzigingen: zie hartslag audit query)\n", s.earlier_history_omitted());
    }
    for (const auto& h : s.history()) {
      std::printf("  %s  %s -> %s  door %s: %s\n", LocalTime(h.at()).c_str(),
                  h.from() == v1::CASE_STATUS_UNSPECIFIED
                      ? "(nieuw)"
                      : Label(v1::CaseStatus_Name(h.from()), "CASE_STATUS_").c_str(),
                  Label(v1::CaseStatus_Name(h.to()), "CASE_STATUS_").c_str(), h.actor().user_id().c_str(),
                  h.reason().c_str());
    }
  });
}

absl::Status List(const Args& args) {
  Flags flags("hartslag case list", "the cases you may see, most recently changed first (needs --purpose)");
  flags.Add("kind", "", "", "leefbaarheid or casuistiek");
  flags.Add("status", "", "", "e.g. triage, in_progress");
  flags.Add("area", "", "", "area id (with its wijken)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
  v1::ListCasesRequest request;
  if (!flags.Get("kind").empty()) {
    ASSIGN_OR_RETURN(v1::CaseKind kind, ParseEnumFlag<v1::CaseKind>("kind", flags.Get("kind"), "CASE_KIND_",
                                                                     v1::CaseKind_Parse));
    request.set_kind(kind);
  }
  if (!flags.Get("status").empty()) {
    ASSIGN_OR_RETURN(v1::CaseStatus status, ParseEnumFlag<v1::CaseStatus>("status", flags.Get("status"),
                                                                           "CASE_STATUS_", v1::CaseStatus_Parse));
    request.set_status(status);
  }
  request.set_area_id(flags.Get("area"));
  request.set_page_size(200);
  v1::ListCasesResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(v1::CaseService::NewStub(c.channel())->ListCases(c.NewCall().get(), request, &response)));
  Rows rows;
  for (const auto& item : response.cases()) {
      rows.push_back({item.reference(), Label(v1::CaseKind_Name(item.kind()), "CASE_KIND_"),
                      Label(v1::CaseStatus_Name(item.status()), "CASE_STATUS_"), item.area().name(),
                      item.risk_tier() == v1::RISK_TIER_UNSPECIFIED
                          ? ""
                          : Label(v1::RiskTier_Name(item.risk_tier()), "RISK_TIER_"),
                      LocalTime(item.next_review_at()),
                      item.title()});
  }
  PrintList(flags, response, {"REFERENTIE", "SOORT", "STATUS", "GEBIED", "RISICO", "EVALUATIE", "TITEL"}, rows);
  return absl::OkStatus();
}

absl::Status Move(const Args& args) {
  Flags flags("hartslag case move", "move a case along its lifecycle");
  flags.Add("id", "", "", "the case id");
  flags.Add("to", "", "", "triage, scheduled, in_progress, monitoring or closed");
  flags.Add("reason", "", "", "why");
  flags.Add("result", "", "", "closing: resolved, improved, referred or no_further_action");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id", "to"}));
  v1::TransitionCaseRequest request;
  request.set_case_id(flags.Get("id"));
  ASSIGN_OR_RETURN(v1::CaseStatus to, ParseEnumFlag<v1::CaseStatus>("to", flags.Get("to"), "CASE_STATUS_",
                                                                     v1::CaseStatus_Parse));
  request.set_to(to);
  request.set_reason(flags.Get("reason"));
  if (!flags.Get("result").empty()) {
    ASSIGN_OR_RETURN(v1::CaseResult result, ParseEnumFlag<v1::CaseResult>("result", flags.Get("result"),
                                                                           "CASE_RESULT_", v1::CaseResult_Parse));
    request.set_result(result);
  }
  v1::Case moved;
  RETURN_IF_ERROR(FromGrpcStatus(v1::CaseService::NewStub(c.channel())->TransitionCase(c.NewCall().get(), request, &moved)));
  return Show(flags, moved, PrintCase);
}

absl::Status Reopen(const Args& args) {
  Flags flags("hartslag case reopen", "reopen a closed case");
  flags.Add("id", "", "", "the case id");
  flags.Add("reason", "", "", "why");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id"}));
  v1::ReopenCaseRequest request;
  request.set_case_id(flags.Get("id"));
  request.set_reason(flags.Get("reason"));
  v1::Case reopened;
  RETURN_IF_ERROR(FromGrpcStatus(v1::CaseService::NewStub(c.channel())->ReopenCase(c.NewCall().get(), request, &reopened)));
  return Show(flags, reopened, PrintCase);
}

absl::Status Update(const Args& args) {
  Flags flags("hartslag case update", "change who works on a case and how it is weighed");
  flags.Add("id", "", "", "the case id");
  flags.Add("case-manager", "", "", "the casusregisseur (user id; - removes)");
  flags.Add("process-coordinator", "", "", "the procesregisseur (user id)");
  flags.Add("participants", "", "", "replace the participating organisations, comma-separated");
  flags.Add("members", "", "", "replace the further people with a role, comma-separated user ids");
  flags.Add("confidentiality", "", "", "e.g. vertrouwelijk, geheim");
  flags.Add("risk", "", "", "high, medium or low");
  flags.Add("risk-reason", "", "", "why that risk tier");
  flags.Add("plan", "", "", "replace the plan: \"goal|org1,org2;goal|org3\"");
  flags.Add("escalate", "", "", "zorg_en_veiligheidshuis or bestuurlijk");
  flags.Add("escalation-reason", "", "", "why");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id"}));
  v1::UpdateCaseRequest request;
  request.set_case_id(flags.Get("id"));
  // Only what is given changes.
  auto change = [&request](const char* path) { request.mutable_update_mask()->add_paths(path); };
  if (flags.IsSet("case-manager")) {
    change("case_manager");
    if (flags.Get("case-manager") != "-") request.set_case_manager(flags.Get("case-manager"));
  }
  if (flags.IsSet("process-coordinator")) {
    change("process_coordinator");
    request.set_process_coordinator(flags.Get("process-coordinator"));
  }
  if (flags.IsSet("participants")) {
    change("participating_organisations");
    for (const std::string& org : ListFlag(flags.Get("participants"))) {
      request.mutable_participating_organisations()->add_organisation_ids(org);
    }
  }
  if (flags.IsSet("members")) {
    change("members");
    for (const std::string& user : ListFlag(flags.Get("members"))) request.mutable_members()->add_user_ids(user);
  }
  if (!flags.Get("confidentiality").empty()) {
    change("confidentiality");
    ASSIGN_OR_RETURN(v1::Confidentiality level,
                     ParseEnumFlag<v1::Confidentiality>("confidentiality", flags.Get("confidentiality"),
                                                        "CONFIDENTIALITY_", v1::Confidentiality_Parse));
    request.set_confidentiality(level);
  }
  if (!flags.Get("risk").empty()) {
    ASSIGN_OR_RETURN(v1::RiskTier tier, ParseEnumFlag<v1::RiskTier>("risk", flags.Get("risk"), "RISK_TIER_",
                                                                      v1::RiskTier_Parse));
    change("risk_tier");
    request.set_risk_tier(tier);
    request.set_risk_reason(flags.Get("risk-reason"));
  }
  if (flags.IsSet("plan")) {
    change("plan");
    v1::Plan* plan = request.mutable_plan();
    for (absl::string_view entry : absl::StrSplit(flags.Get("plan"), ';', absl::SkipWhitespace())) {
      std::vector<std::string> parts = absl::StrSplit(entry, '|');
      v1::PlanGoal* goal = plan->add_goals();
      goal->set_goal(parts[0]);
      if (parts.size() > 1) for (const std::string& org : ListFlag(parts[1])) goal->add_organisation_ids(org);
    }
  }
  if (!flags.Get("escalate").empty()) {
    ASSIGN_OR_RETURN(v1::Escalation escalation,
                     ParseEnumFlag<v1::Escalation>("escalate", flags.Get("escalate"), "ESCALATION_",
                                                   v1::Escalation_Parse));
    change("escalation");
    request.set_escalation(escalation);
    request.set_escalation_reason(flags.Get("escalation-reason"));
  }
  v1::Case updated;
  RETURN_IF_ERROR(FromGrpcStatus(v1::CaseService::NewStub(c.channel())->UpdateCase(c.NewCall().get(), request, &updated)));
  return Show(flags, updated, PrintCase);
}

absl::Status Note(const Args& args) {
  Flags flags("hartslag case note", "add a note to a case");
  flags.Add("id", "", "", "the case id");
  flags.Add("visibility", "", "participants", "participants, coordination, care or police");
  flags.Add("text", "", "", "the note");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"id", "text"}));
  v1::AddNoteRequest request;
  request.set_request_id(RequestIdOf(flags));
  request.set_case_id(flags.Get("id"));
  ASSIGN_OR_RETURN(v1::NoteVisibility visibility,
                   ParseEnumFlag<v1::NoteVisibility>("visibility", flags.Get("visibility"), "NOTE_VISIBILITY_",
                                                     v1::NoteVisibility_Parse));
  request.set_visibility(visibility);
  request.set_text(flags.Get("text"));
  v1::Note note;
  RETURN_IF_ERROR(FromGrpcStatus(v1::CaseService::NewStub(c.channel())->AddNote(c.NewCall().get(), request, &note)));
  return Show(flags, note, [](const v1::Note& n) { std::printf("notitie %s toegevoegd\n", n.note_id().c_str()); });
}

absl::Status BreakGlassReviews(const Args& args) {
  Flags flags("hartslag case break-glass-reviews", "break-the-glass accesses to review (PRIVACY_OFFICER)");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
  v1::ListBreakGlassReviewsResponse response;
  auto stub = v1::CaseService::NewStub(c.channel());
  RETURN_IF_ERROR(AllPages(v1::ListBreakGlassReviewsRequest(), response, [&](const auto& page_request, auto& page) {
    return FromGrpcStatus(stub->ListBreakGlassReviews(c.NewCall().get(), page_request, &page));
  }));
  Rows rows;
  for (const auto& review : response.reviews()) {
    rows.push_back({LocalTime(review.at()), review.case_id(), review.actor().organisation_id(),
                    review.actor().user_id(), review.reason()});
  }
  PrintList(flags, response, {"WANNEER", "CASUS", "ORGANISATIE", "GEBRUIKER", "REDEN"}, rows);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> CaseCommands() {
  return {{"open", "een casus openen in een van uw gebieden", Open},
          {"get", "het overzicht van één casus (vraagt --purpose)", Get},
          {"list", "de casussen die u mag zien (vraagt --purpose)", List},
          {"move", "een casus een fase verder zetten", Move},
          {"reopen", "een gesloten casus heropenen", Reopen},
          {"update", "wie aan een casus werkt en hoe die gewogen is", Update},
          {"note", "een notitie toevoegen", Note},
          {"break-glass-reviews", "te beoordelen break-the-glass-inzages (PRIVACY_OFFICER)", BreakGlassReviews}};
}

}  // namespace hartslag::cli
