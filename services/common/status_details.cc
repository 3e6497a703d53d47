#include "services/common/status_details.h"

#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "re2/re2.h"

namespace hartslag {
namespace {

// A request field path as the services name it: "text", "address.postcode",
// "persons[2].name", "findings[0]", or a metadata key such as
// "x-hartslag-purpose".
bool IsFieldPath(absl::string_view text) {
  // A part may hold a hyphen: an answer is named by its question's id
  // ("answers.soort-afval").
  static const LazyRE2 kPath = {R"([a-z][a-z0-9_-]*(\[[0-9]+\])?(\.[a-z][a-z0-9_-]*(\[[0-9]+\])?)*)"};
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *kPath);
}

// Dutch labels of the fields a user fills in, by the last part of the path.
const std::map<std::string, std::string>& FieldLabels() {
  static const auto* labels = new std::map<std::string, std::string>{
      {"actions", "acties"},
      {"answers", "antwoord"},
      {"attachments", "bijlagen"},
      {"data", "bestand"},
      {"addresses", "adressen"},
      {"address", "adres"},
      {"area_id", "gebied"},
      {"assignee", "uitvoerder"},
      {"bag_id", "BAG-id"},
      {"birth_year", "geboortejaar"},
      {"break_glass_reason", "reden voor inzage"},
      {"case_id", "casus"},
      {"case_reference_prefix", "voorvoegsel van casussen"},
      {"casuistiek_retention_days", "bewaartermijn Casuïstiek"},
      {"category_id", "categorie"},
      {"chair", "voorzitter"},
      {"choice", "keuze"},
      {"city", "plaats"},
      {"closing_days", "sluitingsdag"},
      {"confidentiality", "vertrouwelijkheid"},
      {"decision", "besluit"},
      {"description", "omschrijving"},
      {"display_name", "naam"},
      {"due_date", "uiterste datum"},
      {"email", "e-mailadres"},
      {"escalation_reason", "reden van opschaling"},
      {"feedback", "terugkoppeling"},
      {"finding", "bevinding"},
      {"goal", "doel"},
      {"house_number", "huisnummer"},
      {"house_number_addition", "toevoeging"},
      {"item_id", "agendapunt"},
      {"judgement", "oordeel"},
      {"kind", "soort"},
      {"latitude", "breedtegraad"},
      {"leefbaarheid_retention_days", "bewaartermijn Leefbaarheid"},
      {"longitude", "lengtegraad"},
      {"max_attachment_bytes", "grootste bijlage"},
      {"max_attachments_per_signal", "bijlagen per melding"},
      {"meeting_id", "overleg"},
      {"name", "naam"},
      {"new_case_title", "titel van de nieuwe casus"},
      {"next_review_date", "volgende evaluatie"},
      {"organisation_ids", "organisaties"},
      {"participating_organisations", "deelnemende organisaties"},
      {"password", "wachtwoord"},
      {"persons", "betrokkenen"},
      {"position", "positie"},
      {"postcode", "postcode"},
      {"rationale", "onderbouwing"},
      {"reason", "reden"},
      {"refer_to", "doorverwezen naar"},
      {"request_id", "verzoek-id"},
      {"result", "resultaat"},
      {"review_date", "datum van herbeoordeling"},
      {"review_id", "beoordeling"},
      {"risk_reason", "reden van het risico"},
      {"risk_tier", "risico"},
      {"role", "rol"},
      {"roles", "rollen"},
      {"signal_id", "signaal"},
      {"signal_reference_prefix", "voorvoegsel van meldingen"},
      {"signal_retention_days", "bewaartermijn meldingen"},
      {"starts_at", "aanvang"},
      {"status", "status"},
      {"street", "straat"},
      {"text", "tekst"},
      {"time_zone", "tijdzone"},
      {"title", "titel"},
      {"triage_cut_off_time", "tijd van het peilmoment"},
      {"triage_cut_off_weekday", "dag van het peilmoment"},
      {"urgency", "urgentie"},
      {"user_id", "gebruiker"},
      {"visibility", "zichtbaarheid"},
      {"weeks", "aantal weken"},
      {"x-hartslag-purpose", "doel van de inzage"},
  };
  return *labels;
}

// The field's Dutch label, numbered by the last list it is in:
// "persons[1].name" is "naam 2".
std::string LabelOf(absl::string_view path) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  std::string number;
  for (std::string& part : parts) {
    size_t bracket = part.find('[');
    if (bracket == std::string::npos) continue;
    int n = 0;
    if (absl::SimpleAtoi(absl::StripSuffix(part.substr(bracket + 1), "]"), &n)) number = absl::StrCat(" ", n + 1);
    part = part.substr(0, bracket);
  }
  if (parts.size() == 2 && parts[0] == "answers") return "het antwoord op vraag " + parts[1];
  auto label = FieldLabels().find(parts.back());
  return (label == FieldLabels().end() ? parts.back() : label->second) + number;
}

// The reasons the services give, in Dutch; `$1` is the first number or
// list in the English reason.
struct Reason {
  const char* pattern;  // RE2, matched against the whole English reason
  const char* dutch;    // \1.. refer to the pattern's groups
};
const Reason kReasons[] = {
    {R"(is required(: .*| \(.*\))?)", "is verplicht"},
    {R"(is required for .*)", "is hier verplicht"},
    {R"(is required to .*)", "is hiervoor verplicht"},
    {R"(must be a UUID)", "is geen geldige id"},
    {R"(must look like 1234 AB)", "moet eruitzien als 1234 AB"},
    {R"(must look like (.*))", "moet eruitzien als \\1"},
    {R"(must be a date as YYYY-MM-DD)", "moet een datum zijn (JJJJ-MM-DD)"},
    {R"(must be a number)", "moet een getal zijn"},
    {R"(must be a text)", "moet een tekst zijn"},
    {R"(must be yes or no)", "moet ja of nee zijn"},
    {R"(must be one of the question's options)", "moet een van de keuzes zijn"},
    {R"(must be one or more of the question's options.*)", "moet een of meer van de keuzes zijn, elk één keer"},
    {R"(is not a question of this category)", "hoort bij geen vraag van deze categorie"},
    {R"(is answered twice)", "is twee keer beantwoord"},
    {R"(is a main category; .*)", "is een hoofdcategorie; kies een van de subcategorieën"},
    {R"(is not a JPEG, PNG or PDF file)", "is geen foto (JPEG of PNG) of PDF"},
    {R"(is a damaged (JPEG|PNG|PDF) file)", "is een beschadigd \\1-bestand"},
    {R"(is a PDF with active content.*)", "is een PDF met actieve inhoud (JavaScript, acties of ingesloten bestanden)"},
    {R"(the attachment is larger than (\d+) bytes.*)", "is groter dan \\1 bytes, het maximum"},
    {R"(lies in the past|must not be in the past)", "ligt in het verleden"},
    {R"(lies in the future)", "ligt in de toekomst"},
    {R"(lies more than a year in the past)", "ligt meer dan een jaar in het verleden"},
    {R"(must be at most (\d+) characters)", "mag hoogstens \\1 tekens lang zijn"},
    {R"(must be at least (\d+) characters)", "moet minstens \\1 tekens lang zijn"},
    {R"(must be between (-?\d+) and (-?\d+))", "moet tussen \\1 en \\2 liggen"},
    {R"(must be (\d+) to (\d+))", "moet tussen \\1 en \\2 liggen"},
    {R"(must be 16 digits)", "moet 16 cijfers zijn"},
    {R"(must be 1 to 8 capital letters)", "moet 1 tot 8 hoofdletters zijn"},
    {R"(must be up to 6 letters or digits)", "mag hoogstens 6 letters of cijfers zijn"},
    {R"(at most (\d+).*)", "hoogstens \\1"},
    {R"(at least one .*)", "kies er minstens één"},
    {R"(contains control characters)", "bevat tekens die niet zijn toegestaan"},
    {R"(is not valid UTF-8)", "bevat tekens die niet zijn toegestaan"},
    {R"((is )?not a known .*|not a valid .*|is not an organisation of .*)", "is onbekend"},
    {R"(not a token from a previous page.*|.*cursor.*)", "hoort niet bij deze lijst; begin opnieuw"},
    {R"(already used for .*)", "is al gebruikt voor een ander verzoek; verstuur het als nieuw verzoek"},
    {R"(must be an id of .*)", "mag alleen kleine letters, cijfers en streepjes bevatten"},
    {R"(must lie after .*)", "moet later liggen"},
};

std::string DutchReason(absl::string_view reason) {
  static const auto* compiled = [] {
    auto* patterns = new std::vector<std::pair<std::unique_ptr<RE2>, std::string>>();
    for (const Reason& r : kReasons) patterns->emplace_back(std::make_unique<RE2>(r.pattern), r.dutch);
    return patterns;
  }();
  for (const auto& [pattern, dutch] : *compiled) {
    if (!RE2::FullMatch(re2::StringPiece(reason.data(), reason.size()), *pattern)) continue;
    std::string out(reason);
    RE2::Replace(&out, *pattern, dutch);
    return out;
  }
  return "is niet juist ingevuld";
}

std::string Sentence(std::string text) {
  if (!text.empty()) text[0] = absl::ascii_toupper(static_cast<unsigned char>(text[0]));
  if (!text.empty() && text.back() != '.') text += '.';
  return text;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> FieldViolationsOf(absl::string_view message) {
  std::vector<std::pair<std::string, std::string>> violations;
  for (absl::string_view part : absl::StrSplit(message, "; ")) {
    size_t colon = part.find(": ");
    if (colon == absl::string_view::npos || !IsFieldPath(part.substr(0, colon))) return {};
    violations.emplace_back(std::string(part.substr(0, colon)), std::string(part.substr(colon + 2)));
  }
  return violations;
}

std::string DutchMessage(absl::StatusCode code, absl::string_view message) {
  std::vector<std::pair<std::string, std::string>> fields = FieldViolationsOf(message);
  switch (code) {
    case absl::StatusCode::kInvalidArgument: {
      if (fields.empty()) return "Het verzoek is niet juist ingevuld.";
      std::vector<std::string> sentences;
      for (const auto& [path, reason] : fields) sentences.push_back(Sentence(LabelOf(path) + " " + DutchReason(reason)));
      return absl::StrJoin(sentences, " ");
    }
    case absl::StatusCode::kAlreadyExists:
      if (!fields.empty() && fields[0].first == "request_id") {
        return "Dit verzoek-id is al gebruikt voor een ander verzoek. Verstuur het als nieuw verzoek.";
      }
      return fields.empty() ? "Dit bestaat al." : Sentence(LabelOf(fields[0].first) + ": dit bestaat al");
    case absl::StatusCode::kNotFound:
      return fields.empty() || fields[0].first == "case_id"
                 ? "Niet gevonden, of u heeft er geen toegang toe."
                 : Sentence(LabelOf(fields[0].first) + ": niet gevonden, of u heeft er geen toegang toe");
    case absl::StatusCode::kPermissionDenied:
      return fields.empty() ? "U heeft hiervoor geen toestemming."
                            : Sentence(LabelOf(fields[0].first) + ": u heeft hiervoor geen toestemming");
    case absl::StatusCode::kFailedPrecondition:
      if (absl::StrContains(message, "closed")) return "Dit kan niet meer: het is gesloten.";
      if (absl::StrContains(message, "weighed already")) return "Dit signaal is al gewogen.";
      if (absl::StrContains(message, "cannot go from")) return "Deze stap is vanuit de huidige status niet mogelijk.";
      if (absl::StrContains(message, "the most a case holds")) {
        return "Deze casus heeft al het hoogste aantal signalen. Open een nieuwe casus.";
      }
      if (absl::StrContains(message, "the most a meeting holds")) {
        return "Dit overleg is vol: het kan niet meer bevatten. Zet het op het volgende overleg.";
      }
      if (absl::StrContains(message, "the most an item holds")) {
        return "Dit agendapunt heeft al het hoogste aantal acties. Zet de andere op het volgende overleg.";
      }
      if (absl::StrContains(message, "attachments, the most allowed")) {
        return "Deze melding heeft al het hoogste aantal bijlagen.";
      }
      return "Dit kan in de huidige toestand niet.";
    case absl::StatusCode::kUnauthenticated:
      return "U bent niet (meer) ingelogd. Log opnieuw in.";
    case absl::StatusCode::kResourceExhausted:
      return "Het is op dit moment te druk. Probeer het zo opnieuw.";
    case absl::StatusCode::kUnavailable:
      return "De dienst is tijdelijk niet bereikbaar. Probeer het zo opnieuw.";
    case absl::StatusCode::kDeadlineExceeded:
      return "Dit duurde te lang. Probeer het opnieuw; een verzoek met hetzelfde verzoek-id wordt niet dubbel uitgevoerd.";
    case absl::StatusCode::kAborted:
      return "Iemand anders wijzigde dit tegelijk. Probeer het opnieuw.";
    case absl::StatusCode::kCancelled:
      return "Het verzoek is afgebroken.";
    default: {
      std::string reference;
      if (RE2::PartialMatch(re2::StringPiece(message.data(), message.size()), R"(request id ([0-9a-zA-Z-]+))",
                            &reference)) {
        return absl::StrCat("Er ging iets mis aan onze kant. Probeer het later opnieuw; lukt het dan niet, geef dan "
                            "kenmerk ", reference, " door aan de beheerder.");
      }
      return "Er ging iets mis aan onze kant. Probeer het later opnieuw.";
    }
  }
}

grpc::Status WithDetails(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    std::vector<std::pair<std::string, std::string>> fields = FieldViolationsOf(status.message());
    if (!fields.empty()) {
      google::rpc::BadRequest bad;
      for (const auto& [path, reason] : fields) {
        google::rpc::BadRequest::FieldViolation* v = bad.add_field_violations();
        v->set_field(path);
        v->set_description(reason);
      }
      details.add_details()->PackFrom(bad);
    }
  }
  google::rpc::LocalizedMessage dutch;
  dutch.set_locale(kUserLocale);
  dutch.set_message(DutchMessage(status.code(), status.message()));
  details.add_details()->PackFrom(dutch);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      details.SerializeAsString());
}

std::optional<std::string> LocalizedMessageOf(const absl::Status& status) {
  auto payload = status.GetPayload(kLocalizedMessagePayload);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

std::optional<std::string> LocalizedMessageOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) return std::nullopt;
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::LocalizedMessage message;
    if (any.UnpackTo(&message) && message.locale() == kUserLocale) return message.message();
  }
  return std::nullopt;
}

}  // namespace hartslag
