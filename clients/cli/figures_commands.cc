// hartslag figures: the programme's figures without personal data. Signals
// from hartslag-intake (--server), cases and actions from hartslag-cases
// (--cases-server), per ISO week in the municipality's time zone; every
// count of 1 to 4 arrives withheld and is shown as "<5". The period is
// counted in whole weeks: the services widen it to the Mondays around it,
// and the note says which days were counted.
//
//   hartslag figures --from 2026-11-01 --to 2026-12-01 [--area vrieheide] [--csv] [--table signals]
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "hartslag/cases/v1/figures.grpc.pb.h"
#include "hartslag/intake/v1/figures.grpc.pb.h"
#include "services/common/figures.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace cv1 = hartslag::cases::v1;
namespace iv1 = hartslag::intake::v1;

// One table as printed: its title, columns and rows.
struct Table {
  std::string title;
  std::vector<std::string> headers;
  Rows rows;
};

// Days to one decimal; "<5" when withheld; "" when no case closed.
std::string Days(const cv1::CaseFiguresRow& row, double days) {
  if (!row.has_lead_time()) return "";
  if (row.lead_time().suppressed()) return absl::StrCat("<", kSmallestShownCount);
  return absl::StrFormat("%.1f", days);
}

Table SignalTable(const iv1::GetSignalFiguresResponse& figures) {
  Table table{"Meldingen",
              {"WEEK", "GEBIED", "CATEGORIE", "BRON", "BINNEN", "OP TIJD", "OVER TERMIJN", "TE LAAT", "WACHTEND",
               "WACHTEND OVER TERMIJN", "WACHTEND TE LAAT", "OPGEPAKT", "DOORVERWEZEN", "GEEN ACTIE"},
              {}};
  for (const iv1::SignalFiguresRow& r : figures.rows()) {
    table.rows.push_back({r.week(), r.area().name(), r.category_id(), EnumLabel(iv1::Source_Name(r.source()), "SOURCE_"),
                          CountText(r.received()), CountText(r.handled_in_time()), CountText(r.handled_overdue()),
                          CountText(r.handled_late()), CountText(r.waiting()), CountText(r.waiting_overdue()),
                          CountText(r.waiting_late()), CountText(r.accepted()), CountText(r.referred()), CountText(r.no_action())});
  }
  return table;
}

Table CaseTable(const cv1::GetCaseFiguresResponse& figures) {
  Table table{"Casussen",
              {"WEEK", "GEBIED", "OVERLEG", "GEOPEND", "GESLOTEN", "DOORLOOPTIJD MEDIAAN (DAGEN)",
               "DOORLOOPTIJD P90 (DAGEN)"},
              {}};
  for (const cv1::CaseFiguresRow& r : figures.cases()) {
    table.rows.push_back({r.week(), r.area().name(), EnumLabel(cv1::CaseKind_Name(r.kind()), "CASE_KIND_"),
                          CountText(r.opened()), CountText(r.closed()), Days(r, r.lead_time().median_days()),
                          Days(r, r.lead_time().p90_days())});
  }
  return table;
}

Table ActionTable(const cv1::GetCaseFiguresResponse& figures) {
  Table table{"Acties",
              {"WEEK", "GEBIED", "ORGANISATIE", "GEGEVEN", "AFGEROND", "AFGEROND NA DATUM", "OPEN", "OVER DATUM"},
              {}};
  for (const cv1::ActionFiguresRow& r : figures.actions()) {
    table.rows.push_back({r.week(), r.area().name(), r.organisation_id(), CountText(r.created()), CountText(r.completed()),
                          CountText(r.completed_late()), CountText(r.open()), CountText(r.overdue())});
  }
  return table;
}

// The tables one after the other: as aligned text under their titles, or as
// CSV. One table alone is a plain RFC 4180 file; several are blocks, each
// opened by a line with its title, with an empty line between them.
void PrintTables(const std::vector<Table>& tables, bool csv) {
  for (size_t i = 0; i < tables.size(); ++i) {
    const Table& t = tables[i];
    if (csv) {
      if (tables.size() > 1) std::printf("%s%s\r\n", i ? "\r\n" : "", CsvField(t.title).c_str());
      std::fputs(Csv(t.headers, t.rows).c_str(), stdout);
    } else {
      std::printf("%s%s\n", i ? "\n" : "", t.title.c_str());
      PrintTable(t.headers, t.rows);
    }
  }
}

}  // namespace

absl::Status FiguresCommand(const Args& args) {
  Flags flags("hartslag figures",
              "signals, cases and actions per ISO week, area, category, source, meeting and organisation, without "
              "personal data; counts of 1 to 4 are shown as <5 (COORDINATOR: your areas; ADMIN: the municipality). "
              "--server is hartslag-intake's address, --cases-server hartslag-cases'.");
  flags.Add("from", "", "", "first day of the period, YYYY-MM-DD (required; counted from the Monday on or before it)");
  flags.Add("to", "", "",
            "first day after the period, YYYY-MM-DD (required; counted up to the Monday on or after it, at most 105 "
            "weeks after that of --from)");
  flags.Add("area", "", "", "only this area and its wijken");
  flags.Add("table", "", "all", "signals, cases, actions or all");
  flags.AddBool("csv", "", false, "short for -o csv");
  flags.Add("cases-server", "HARTSLAG_CASES_ADDR", "localhost:7403", "hartslag-cases address (host:port)");
  Connection::AddFlags(flags, "HARTSLAG_INTAKE_ADDR", "localhost:7402");
  AddOutputFlags(flags);
  RETURN_IF_ERROR(flags.Parse(args));
  RETURN_IF_ERROR(OutputFormat(flags, Shape::kList).status());
  const bool csv = flags.GetBool("csv") || FormatOf(flags) == Format::kCsv;
  if (flags.GetBool("csv") && FormatOf(flags) == Format::kJson) {
    return UsageError("--csv en -o json: kies er één");
  }
  RETURN_IF_ERROR(Required(flags, {"from", "to"}));
  const std::string table = flags.Get("table");
  if (table != "all" && table != "signals" && table != "cases" && table != "actions") {
    return UsageError(absl::StrCat("--table: onbekende waarde ", table, "; kies signals, cases, actions of all"));
  }
  const bool signals = table == "all" || table == "signals";
  const bool cases = table != "signals";

  common::v1::ReportingPeriod period;
  period.set_start_date(flags.Get("from"));
  period.set_end_date(flags.Get("to"));
  iv1::GetSignalFiguresResponse signal_figures;
  cv1::GetCaseFiguresResponse case_figures;
  if (signals) {
    ASSIGN_OR_RETURN(Connection intake, Connection::FromFlags(flags));
    iv1::GetSignalFiguresRequest request;
    *request.mutable_period() = period;
    request.set_area_id(flags.Get("area"));
    auto stub = iv1::SignalFiguresService::NewStub(intake.channel());
    RETURN_IF_ERROR(FromGrpcStatus(stub->GetSignalFigures(intake.NewCall().get(), request, &signal_figures)));
  }
  if (cases) {
    ASSIGN_OR_RETURN(Connection cases_service, Connection::FromFlags(flags, flags.Get("cases-server")));
    cv1::GetCaseFiguresRequest request;
    *request.mutable_period() = period;
    request.set_area_id(flags.Get("area"));
    auto stub = cv1::CaseFiguresService::NewStub(cases_service.channel());
    RETURN_IF_ERROR(FromGrpcStatus(stub->GetCaseFigures(cases_service.NewCall().get(), request, &case_figures)));
  }

  if (FormatOf(flags) == Format::kJson) {
    std::vector<std::string> parts;
    if (signals) parts.push_back(absl::StrCat("\"signals\":", JsonOf(signal_figures)));
    if (cases) parts.push_back(absl::StrCat("\"cases\":", JsonOf(case_figures)));
    std::printf("{%s}\n", absl::StrJoin(parts, ",").c_str());
    return absl::OkStatus();
  }
  std::vector<Table> tables;
  if (signals) tables.push_back(SignalTable(signal_figures));
  if (table == "all" || table == "cases") tables.push_back(CaseTable(case_figures));
  if (table == "all" || table == "actions") tables.push_back(ActionTable(case_figures));
  PrintTables(tables, csv);
  const std::string& zone = signals ? signal_figures.time_zone() : case_figures.time_zone();
  const common::v1::ReportingPeriod& counted = signals ? signal_figures.period() : case_figures.period();
  std::string note = absl::StrCat("geteld in hele weken van maandag tot en met zondag (", zone, "): van ",
                                  counted.start_date(), " tot ", counted.end_date(), "; 1 tot 4 staat als <",
                                  kSmallestShownCount, "; x: weggelaten zodat een <", kSmallestShownCount,
                                  " niet is terug te rekenen; wachtend, open en over datum: stand van nu");
  std::fprintf(csv ? stderr : stdout, "%s%s\n", csv ? "" : "\n", note.c_str());
  return absl::OkStatus();
}

}  // namespace hartslag::cli
