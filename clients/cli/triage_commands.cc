// hartslag triage: the coordinator's weekly weighing of signals.
//
//   hartslag triage [queue] [--area A] [--page-size N] [--page-token T | --all]
//                                                     the untriaged signals of your areas, a page at a time
//   hartslag triage decide --signal ID --choice leefbaarheid|casuistiek|handle_directly|refer|no_action
//                          [--case ID | --new-case TITLE] [--refer-to WHERE] [--reason R] [--feedback F]
//
// Runs with purpose TRIAGE.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = cases::v1;

absl::StatusOr<Connection> Connect(Flags& flags, Args args, Shape shape = Shape::kObject) {
  args.insert(args.begin(), {"--purpose", "TRIAGE"});
  return Connection::Parse(flags, args, "HARTSLAG_CASES_ADDR", "localhost:7403", shape);
}

absl::Status Queue(const Args& args) {
  Flags flags("hartslag triage queue", "the untriaged signals of your areas, oldest first");
  flags.Add("area", "", "", "only this area (with its wijken)");
  flags.Add("window-days", "", "90", "propose other signals at the address from this many days back");
  flags.Add("page-size", "", "25", "signals per page (at most 50)");
  flags.Add("page-token", "", "", "continue from a previous page");
  flags.AddBool("all", "", false, "fetch every page");
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args, Shape::kList));
  v1::GetTriageQueueRequest request;
  request.set_area_id(flags.Get("area"));
  ASSIGN_OR_RETURN(int window_days, flags.GetInt("window-days"));
  request.set_window_days(window_days);
  ASSIGN_OR_RETURN(int page_size, flags.GetInt("page-size"));
  request.set_page_size(page_size);
  request.set_page_token(flags.Get("page-token"));
  // One page unless --all: a backlog of thousands is weighed page by page,
  // not fetched whole before anything shows.
  v1::TriageQueue queue;
  auto stub = v1::TriageService::NewStub(c.channel());
  for (;;) {
    v1::TriageQueue page;
    RETURN_IF_ERROR(FromGrpcStatus(stub->GetTriageQueue(c.NewCall().get(), request, &page)));
    std::string next = page.next_page_token();
    page.clear_next_page_token();
    queue.MergeFrom(page);
    queue.set_next_page_token(next);
    if (!flags.GetBool("all") || next.empty()) break;
    request.set_page_token(next);
  }
  Rows rows;
  for (const v1::TriageItem& item : queue.items()) {
    const auto& s = item.signal();
    const auto& a = s.location().address();
    std::vector<std::string> cases;
    for (const auto& open : item.cases_at_address()) cases.push_back(open.reference());
    for (const auto& open : item.cases_with_persons()) cases.push_back(open.reference() + " (persoon)");
    rows.push_back({s.reference(), LocalTime(s.reported_at()), item.before_cut_off() ? "ja" : "nee",
                    s.late() ? "te laat" : s.overdue() ? "over termijn" : LocalTime(s.due_at()), s.area().name(),
                    s.category_id() + (item.meldcode() ? " (Meldcode!)" : ""),
                    item.proposed_kind() == cases::v1::CASE_KIND_CASUISTIEK      ? "Casuïstiek"
                    : item.proposed_kind() == cases::v1::CASE_KIND_LEEFBAARHEID ? "Leefbaarheid"
                                                                                : "",
                    absl::StrCat(a.street(), " ", a.house_number(), a.house_number_addition()),
                    absl::StrJoin(cases, ","),
                    item.signals_at_address().empty() ? "" : absl::StrCat(item.signals_at_address_size(), " meer"),
                    s.signal_id()});
  }
  std::string note = absl::StrCat("peilmoment deze week: ", LocalTime(queue.cut_off()));
  if (!queue.next_page_token().empty()) {
    absl::StrAppend(&note, "; meer met --page-token ", queue.next_page_token(), " (of --all)");
  }
  PrintList(flags, queue,
            {"REFERENTIE", "GEMELD", "VOOR PEILMOMENT", "UITERLIJK", "GEBIED", "CATEGORIE", "VOORSTEL", "ADRES",
             "OPEN CASUSSEN (ADRES, PERSOON)",
             "ZELFDE ADRES", "MELDING-ID"},
            rows, note);
  return absl::OkStatus();
}

absl::Status Decide(const Args& args) {
  Flags flags("hartslag triage decide", "weigh one signal from your queue");
  flags.Add("signal", "", "", "the signal id");
  flags.Add("choice", "", "", "handle_directly, leefbaarheid, casuistiek, refer or no_action");
  flags.Add("case", "", "", "link to this case (leefbaarheid, casuistiek)");
  flags.Add("new-case", "", "", "or open a case with this title");
  flags.Add("refer-to", "", "", "refer: where to, e.g. \"Veilig Thuis\"");
  flags.Add("reason", "", "", "why (required for refer and no_action)");
  flags.Add("feedback", "", "", "the text the reporter sees (default: a standard text)");
  AddRequestIdFlag(flags);
  ASSIGN_OR_RETURN(Connection c, Connect(flags, args));
  RETURN_IF_ERROR(Required(flags, {"signal", "choice"}));
  v1::TriageSignalRequest request;
  request.set_request_id(RequestIdOf(flags));
  request.set_signal_id(flags.Get("signal"));
  ASSIGN_OR_RETURN(v1::TriageChoice choice, ParseEnumFlag<v1::TriageChoice>("choice", flags.Get("choice"),
                                                                             "TRIAGE_CHOICE_", v1::TriageChoice_Parse));
  request.set_choice(choice);
  request.set_case_id(flags.Get("case"));
  request.set_new_case_title(flags.Get("new-case"));
  request.set_refer_to(flags.Get("refer-to"));
  request.set_reason(flags.Get("reason"));
  request.set_feedback(flags.Get("feedback"));
  v1::TriageDecision decision;
  RETURN_IF_ERROR(FromGrpcStatus(v1::TriageService::NewStub(c.channel())->TriageSignal(c.NewCall().get(), request, &decision)));
  PrintObject(flags, decision, [](const v1::TriageDecision& d) {
    std::printf("gewogen: %s%s\nterugkoppeling aan de melder: %s\n",
                EnumLabel(v1::TriageChoice_Name(d.choice()), "TRIAGE_CHOICE_").c_str(),
                d.case_id().empty() ? "" : (" -> casus " + d.case_id()).c_str(), d.feedback().c_str());
  });
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> TriageCommands() {
  return {{"queue", "de ongewogen meldingen van uw gebieden, oudste eerst", Queue},
          {"decide", "één melding uit uw rij wegen", Decide}};
}

}  // namespace hartslag::cli
