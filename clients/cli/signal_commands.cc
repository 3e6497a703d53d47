// hartslag signal submit|get|list|areas and hartslag categories.
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace hartslag::cli {
namespace {

namespace v1 = hartslag::intake::v1;

constexpr char kServerEnv[] = "HARTSLAG_INTAKE_ADDR";
constexpr char kDefaultServer[] = "localhost:7402";

std::string AddressLine(const v1::Signal& s) {
  if (!s.has_location()) return "";
  const auto& a = s.location().address();
  return absl::StrCat(a.street(), " ", a.house_number(), a.house_number_addition(), ", ",
                      a.postcode());
}

void PrintSignal(const v1::Signal& s) {
  std::vector<std::vector<std::string>> rows = {
      {"referentie", s.reference()},
      {"status", EnumLabel(v1::SignalStatus_Name(s.status()), "SIGNAL_STATUS_")},
      {"gebied", s.area().name()},
      {"categorie", s.category_id() + (s.meldcode() ? "  (Meldcode: overweeg melding Veilig Thuis)" : "")},
      {"urgentie", EnumLabel(v1::Urgency_Name(s.urgency()), "URGENCY_")},
      {"bron", EnumLabel(v1::Source_Name(s.source()), "SOURCE_")},
      {"waargenomen", LocalTime(s.observed_at())},
      {"gemeld", LocalTime(s.reported_at())},
      {"organisatie", s.reporter().organisation_id()},
  };
  if (!s.status_only()) {
    rows.push_back({"adres", AddressLine(s) + " " + s.location().address().city()});
    rows.push_back({"omschrijving", s.description()});
    for (const auto& p : s.persons()) {
      rows.push_back({"persoon", absl::StrCat(p.name(), p.birth_year() ? absl::StrCat(" (", p.birth_year(), ")") : "",
                                             p.role().empty() ? "" : ", " + p.role())});
    }
  }
  if (!s.feedback().empty()) rows.push_back({"terugkoppeling", s.feedback()});
  rows.push_back({"id", s.signal_id()});
  for (const auto& row : rows) std::printf("%-15s %s\n", row[0].c_str(), row[1].c_str());
}

absl::StatusOr<Connection> Connect(Flags& flags, const Args& args, Shape shape = Shape::kObject) {
  return Connection::Parse(flags, args, kServerEnv, kDefaultServer, shape);
}

absl::Status Submit(const Args& args) {
  Flags flags("hartslag signal submit", "submit a signal");
  AddRequestIdFlag(flags);
  flags.Add("area", "", "", "area id, e.g. vrieheide");
  flags.Add("category", "", "", "category id, e.g. afval-dumping (see hartslag categories)");
  flags.Add("street", "", "", "street name");
  flags.Add("house-number", "", "0", "house number");
  flags.Add("addition", "", "", "house letter or addition");
  flags.Add("postcode", "", "", "postcode, e.g. 6415 AB");
  flags.Add("city", "", "Heerlen", "city");
  flags.Add("bag-id", "", "", "BAG nummeraanduiding id (16 digits)");
  flags.Add("lat", "", "", "latitude");
  flags.Add("lon", "", "", "longitude");
  flags.Add("description", "", "", "what was seen (10 to 4000 characters)");
  flags.Add("observed-at", "", "", "when it was seen (default: now)");
  flags.Add("source", "", "street_coach",
            "street_coach, boa, police, resident, housing, care, camera or other");
  flags.Add("urgency", "", "normal", "low, normal, high or acute");
  flags.Add("persons", "", "", "persons involved: \"name|birth year|role;...\"");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args));

  v1::SubmitSignalRequest request;
  request.set_request_id(RequestIdOf(flags));
  request.set_area_id(flags.Get("area"));
  request.set_category_id(flags.Get("category"));
  auto* address = request.mutable_location()->mutable_address();
  address->set_street(flags.Get("street"));
  ASSIGN_OR_RETURN(int house_number, flags.GetInt("house-number"));
  address->set_house_number(house_number);
  address->set_house_number_addition(flags.Get("addition"));
  address->set_postcode(flags.Get("postcode"));
  address->set_city(flags.Get("city"));
  address->set_bag_id(flags.Get("bag-id"));
  if (flags.IsSet("lat") || flags.IsSet("lon")) {
    double lat = 0, lon = 0;
    if (!absl::SimpleAtod(flags.Get("lat"), &lat) || !absl::SimpleAtod(flags.Get("lon"), &lon)) {
      return UsageError("--lat en --lon: allebei nodig, in decimale graden");
    }
    request.mutable_location()->mutable_point()->set_latitude(lat);
    request.mutable_location()->mutable_point()->set_longitude(lon);
  }
  request.set_description(flags.Get("description"));
  if (flags.IsSet("observed-at")) {
    ASSIGN_OR_RETURN(absl::Time observed, ParseTimeFlag("observed-at", flags.Get("observed-at")));
    *request.mutable_observed_at() = TimeToProto(observed);
  }
  ASSIGN_OR_RETURN(v1::Source source, ParseEnumFlag<v1::Source>("source", flags.Get("source"),
                                                                "SOURCE_", v1::Source_Parse));
  request.set_source(source);
  ASSIGN_OR_RETURN(v1::Urgency urgency,
                   ParseEnumFlag<v1::Urgency>("urgency", flags.Get("urgency"), "URGENCY_",
                                              v1::Urgency_Parse));
  request.set_urgency(urgency);
  RETURN_IF_ERROR(ParsePersonsFlag(flags.Get("persons"), request.mutable_persons()));

  auto stub = v1::SignalService::NewStub(connection.channel());
  v1::SubmitSignalResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->SubmitSignal(connection.NewCall().get(), request, &response)));
  PrintObject(flags, response, [&](const v1::SubmitSignalResponse& r) {
    std::printf("%s %s (verzoek-id %s)\n", r.replayed() ? "al ingediend:" : "ingediend:", r.signal().reference().c_str(),
                request.request_id().c_str());
    if (r.signal().meldcode()) {
      std::printf("Meldcode: bij een vermoeden van huiselijk geweld of kindermishandeling, "
                  "overweeg een melding bij Veilig Thuis.\n");
    }
  });
  return absl::OkStatus();
}

absl::Status Get(const Args& args) {
  Flags flags("hartslag signal get", "show one signal: hartslag signal get SV-2026-000123|ID");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args));
  if (flags.positionals().size() != 1) return UsageError("geef één referentie of id van een melding");
  v1::GetSignalRequest request;
  const std::string& key = flags.positionals()[0];
  // A UUID is 36 characters; references are shorter (SV-2026-000123).
  if (key.size() == 36) {
    request.set_signal_id(key);
  } else {
    request.set_reference(absl::AsciiStrToUpper(key));
  }
  auto stub = v1::SignalService::NewStub(connection.channel());
  v1::Signal signal;
  RETURN_IF_ERROR(FromGrpcStatus(stub->GetSignal(connection.NewCall().get(), request, &signal)));
  PrintObject(flags, signal, PrintSignal);
  return absl::OkStatus();
}

absl::Status List(const Args& args) {
  Flags flags("hartslag signal list", "list signals, newest first");
  flags.Add("area", "", "", "only this area and its wijken");
  flags.Add("category", "", "", "only this category");
  flags.Add("status", "", "", "only this status, e.g. new");
  flags.Add("from", "", "", "reported at or after");
  flags.Add("to", "", "", "reported before");
  flags.AddBool("overdue", "", false, "only signals still waiting after their due date");
  flags.AddBool("late", "", false, "only signals still waiting after three times their deadline");
  flags.Add("page-size", "", "50", "signals per page (at most 200)");
  flags.Add("page-token", "", "", "continue from a previous page");
  flags.AddBool("all", "", false, "fetch every page");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args, Shape::kList));
  v1::ListSignalsRequest request;
  request.set_area_id(flags.Get("area"));
  request.set_category_id(flags.Get("category"));
  if (flags.IsSet("status")) {
    ASSIGN_OR_RETURN(v1::SignalStatus status,
                     ParseEnumFlag<v1::SignalStatus>("status", flags.Get("status"),
                                                     "SIGNAL_STATUS_", v1::SignalStatus_Parse));
    request.set_status(status);
  }
  if (flags.IsSet("from")) {
    ASSIGN_OR_RETURN(absl::Time from, ParseTimeFlag("from", flags.Get("from")));
    *request.mutable_reported()->mutable_start() = TimeToProto(from);
  }
  if (flags.IsSet("to")) {
    ASSIGN_OR_RETURN(absl::Time to, ParseTimeFlag("to", flags.Get("to")));
    *request.mutable_reported()->mutable_end() = TimeToProto(to);
  }
  request.set_overdue_only(flags.GetBool("overdue"));
  request.set_late_only(flags.GetBool("late"));
  ASSIGN_OR_RETURN(int page_size, flags.GetInt("page-size"));
  request.set_page_size(page_size);
  request.set_page_token(flags.Get("page-token"));

  auto stub = v1::SignalService::NewStub(connection.channel());
  v1::ListSignalsResponse all;
  for (;;) {
    v1::ListSignalsResponse page;
    RETURN_IF_ERROR(FromGrpcStatus(stub->ListSignals(connection.NewCall().get(), request, &page)));
    for (auto& s : *page.mutable_signals()) *all.add_signals() = std::move(s);
    all.set_next_page_token(page.next_page_token());
    if (!flags.GetBool("all") || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  Rows rows;
  for (const auto& s : all.signals()) {
    rows.push_back({s.reference(), LocalTime(s.reported_at()), s.area().name(), s.category_id(),
                    EnumLabel(v1::Urgency_Name(s.urgency()), "URGENCY_"),
                    EnumLabel(v1::SignalStatus_Name(s.status()), "SIGNAL_STATUS_"),
                    s.status() != v1::SIGNAL_STATUS_NEW ? "" : s.late() ? "te laat" : s.overdue() ? "over termijn"
                                                                           : LocalTime(s.due_at()),
                    s.status_only() ? "(alleen status)" : AddressLine(s)});
  }
  std::string note = absl::StrCat(all.signals_size(), all.signals_size() == 1 ? " melding" : " meldingen");
  if (!all.next_page_token().empty()) {
    absl::StrAppend(&note, "; meer met --page-token ", all.next_page_token(), " (of --all)");
  }
  PrintList(flags, all, {"REFERENTIE", "GEMELD", "GEBIED", "CATEGORIE", "URGENTIE", "STATUS", "UITERLIJK", "ADRES"}, rows,
            note);
  return absl::OkStatus();
}

absl::Status Areas(const Args& args) {
  Flags flags("hartslag signal areas", "list your areas and their wijken, parents first");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args, Shape::kList));
  auto stub = v1::SignalService::NewStub(connection.channel());
  v1::ListAreasResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->ListAreas(connection.NewCall().get(), {}, &response)));
  Rows rows;
  for (const auto& a : response.areas()) rows.push_back({a.area_id(), a.name(), a.parent_area_id()});
  PrintList(flags, response, {"ID", "GEBIED", "BOVENLIGGEND"}, rows);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> SignalCommands() {
  return {{"submit", "een melding indienen", Submit},
          {"get", "één melding tonen", Get},
          {"list", "meldingen, nieuwste eerst", List},
          {"areas", "je gebieden en hun wijken", Areas}};
}

absl::Status CategoriesCommand(const Args& args) {
  Flags flags("hartslag categories", "list the signal categories of your municipality");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args, Shape::kList));
  auto stub = v1::SignalService::NewStub(connection.channel());
  v1::ListCategoriesResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->ListCategories(connection.NewCall().get(), {}, &response)));
  Rows rows;
  for (const auto& c : response.categories()) {
    rows.push_back({c.category_id(), c.parent_category_id().empty() ? c.label() : "  " + c.label(),
                    c.default_meeting() == v1::MEETING_KIND_LEEFBAARHEID ? "Leefbaarheidsoverleg"
                                                                         : "Casuïstiekoverleg",
                    absl::StrCat(c.handling_deadline_days(),
                                 c.handling_deadline_day_count() == v1::DAY_COUNT_WORKING ? " werkdagen" : " dagen"),
                    c.meldcode() ? "Meldcode" : "", absl::StrCat(c.questions_size())});
  }
  PrintList(flags, response, {"ID", "CATEGORIE", "OVERLEG", "TERMIJN", "MELDCODE", "VRAGEN"}, rows);
  return absl::OkStatus();
}

}  // namespace hartslag::cli
