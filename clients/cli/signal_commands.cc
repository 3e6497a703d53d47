// hartslag signal submit|get|list|areas and hartslag categories.
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/flag_values.h"
#include "clients/cli/output.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
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

std::string AnswerText(const v1::Answer& a) {
  switch (a.value_case()) {
    case v1::Answer::kText: return a.text();
    case v1::Answer::kNumber: return absl::StrCat(a.number());
    case v1::Answer::kDate: return a.date();
    case v1::Answer::kYesNo: return a.yes_no() ? "ja" : "nee";
    case v1::Answer::kChoice: return a.choice();
    case v1::Answer::kChoices: return absl::StrJoin(a.choices().options(), ", ");
    default: return "";
  }
}

// --answers "soort=Matras;gevaarlijk=nee": each value typed as its question
// asks (several options separated by |).
absl::Status ParseAnswers(const std::string& text, const v1::Category& category, v1::SubmitSignalRequest& request) {
  for (absl::string_view pair : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    v1::Answer& answer = *request.add_answers();
    answer.set_question_id(std::string(absl::StripAsciiWhitespace(kv.first)));
    const std::string value(absl::StripAsciiWhitespace(kv.second));
    v1::QuestionType type = v1::QUESTION_TYPE_TEXT;
    for (const auto& q : category.questions()) {
      if (q.question_id() == answer.question_id()) type = q.type();
    }
    switch (type) {
      case v1::QUESTION_TYPE_NUMBER: {
        double number = 0;
        if (!absl::SimpleAtod(value, &number)) return UsageError("--answers " + answer.question_id() + ": een getal");
        answer.set_number(number);
        break;
      }
      case v1::QUESTION_TYPE_DATE: answer.set_date(value); break;
      case v1::QUESTION_TYPE_YES_NO: {
        const std::string lower = absl::AsciiStrToLower(value);
        if (lower != "ja" && lower != "nee") return UsageError("--answers " + answer.question_id() + ": ja of nee");
        answer.set_yes_no(lower == "ja");
        break;
      }
      case v1::QUESTION_TYPE_ONE_OF: answer.set_choice(value); break;
      case v1::QUESTION_TYPE_SEVERAL_OF:
        for (absl::string_view option : absl::StrSplit(value, '|', absl::SkipWhitespace())) {
          answer.mutable_choices()->add_options(std::string(absl::StripAsciiWhitespace(option)));
        }
        break;
      default: answer.set_text(value);
    }
  }
  return absl::OkStatus();
}

// The same upload id for the same file of the same signal request: running
// the command again with its --request-id attaches nothing twice.
std::string UploadIdFor(const std::string& request_id, size_t index) {
  std::string hex = HexEncode(Sha256(absl::StrCat(request_id, "/attachment/", index))).substr(0, 32);
  hex[12] = '5';  // a name-based UUID
  hex[16] = "89ab"[hex[16] % 4];
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20));
}

// Uploads `bytes` to the signal in chunks, resuming where intake says it is.
absl::StatusOr<v1::Attachment> Attach(v1::SignalService::Stub& stub, Connection& connection,
                                      const std::string& signal_id, const std::string& upload_id,
                                      const std::string& file_name, const std::string& bytes) {
  constexpr size_t kChunk = 1 << 20;
  size_t offset = 0;
  for (;;) {
    v1::UploadAttachmentRequest chunk;
    chunk.set_signal_id(signal_id);
    chunk.set_upload_id(upload_id);
    chunk.set_file_name(file_name);
    chunk.set_offset(static_cast<int64_t>(offset));
    chunk.set_data(bytes.substr(offset, kChunk));
    chunk.set_last(offset + chunk.data().size() >= bytes.size());
    v1::UploadAttachmentResponse response;
    RETURN_IF_ERROR(FromGrpcStatus(stub.UploadAttachment(connection.NewCall().get(), chunk, &response)));
    if (response.has_attachment()) return response.attachment();
    offset = static_cast<size_t>(response.received_bytes());
  }
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
  for (const auto& a : s.answers()) rows.push_back({"antwoord", a.question_label() + ": " + AnswerText(a)});
  for (const auto& a : s.attachments()) {
    rows.push_back({"bijlage", absl::StrCat(a.file_name(), " (", a.media_type(), ", ", a.size_bytes(), " bytes) ",
                                           a.attachment_id())});
  }
  if (s.status() == v1::SIGNAL_STATUS_NEW) {
    rows.push_back({"uiterlijk", LocalTime(s.due_at()) + (s.late() ? "  (te laat)" : s.overdue() ? "  (over termijn)" : "")});
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
  flags.Add("answers", "", "", "answers to the category's questions: \"id=value;...\" (several options: a|b)");
  flags.Add("attach", "", "", "photos or documents to attach: FILE[,FILE...] (JPEG, PNG or PDF)");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args));
  auto stub = v1::SignalService::NewStub(connection.channel());

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
  if (flags.IsSet("answers")) {
    v1::ListCategoriesResponse categories;
    RETURN_IF_ERROR(FromGrpcStatus(stub->ListCategories(connection.NewCall().get(), {}, &categories)));
    v1::Category category;
    for (const auto& c : categories.categories()) {
      if (c.category_id() == request.category_id()) category = c;
    }
    RETURN_IF_ERROR(ParseAnswers(flags.Get("answers"), category, request));
  }
  std::vector<std::pair<std::string, std::string>> files;  // name, bytes
  for (absl::string_view path : absl::StrSplit(flags.Get("attach"), ',', absl::SkipWhitespace())) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(std::string(path), "--attach"));
    files.emplace_back(std::string(path.substr(path.rfind('/') + 1)), std::move(bytes));
  }

  v1::SubmitSignalResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->SubmitSignal(connection.NewCall().get(), request, &response)));
  for (size_t i = 0; i < files.size(); ++i) {
    ASSIGN_OR_RETURN(v1::Attachment attached,
                     Attach(*stub, connection, response.signal().signal_id(), UploadIdFor(request.request_id(), i),
                            files[i].first, files[i].second));
    *response.mutable_signal()->add_attachments() = std::move(attached);
  }
  PrintObject(flags, response, [&](const v1::SubmitSignalResponse& r) {
    std::printf("%s %s (verzoek-id %s)\n", r.replayed() ? "al ingediend:" : "ingediend:", r.signal().reference().c_str(),
                request.request_id().c_str());
    for (const auto& a : r.signal().attachments()) {
      std::printf("bijlage %s: %s, %lld bytes opgeslagen\n", a.file_name().c_str(), a.media_type().c_str(),
                  static_cast<long long>(a.size_bytes()));
    }
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

absl::Status Attachment(const Args& args) {
  Flags flags("hartslag signal attachment", "save a signal's photo or document: SIGNAL_ID ATTACHMENT_ID --save FILE");
  flags.Add("save", "", "", "the file to write");
  ASSIGN_OR_RETURN(Connection connection, Connect(flags, args));
  if (flags.positionals().size() != 2) return UsageError("geef het id van de melding en van de bijlage");
  if (flags.Get("save").empty()) return UsageError("--save is verplicht");
  auto stub = v1::SignalService::NewStub(connection.channel());
  v1::ReadAttachmentRequest request;
  request.set_signal_id(flags.positionals()[0]);
  request.set_attachment_id(flags.positionals()[1]);
  std::string bytes;
  v1::ReadAttachmentResponse part;
  do {
    request.set_offset(static_cast<int64_t>(bytes.size()));
    RETURN_IF_ERROR(FromGrpcStatus(stub->ReadAttachment(connection.NewCall().get(), request, &part)));
    bytes += part.data();
  } while (!part.end() && !part.data().empty());
  RETURN_IF_ERROR(WriteFileAtomically(flags.Get("save"), bytes, "--save"));
  std::printf("%s bewaard (%s, %zu bytes)\n", flags.Get("save").c_str(), part.attachment().media_type().c_str(),
              bytes.size());
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
          {"areas", "je gebieden en hun wijken", Areas},
          {"attachment", "een foto of document van een melding bewaren", Attachment}};
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
