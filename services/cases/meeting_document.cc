#include "services/cases/meeting_document.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"

namespace hartslag::cases {
namespace {

std::string MeetingName(v1::CaseKind kind) {
  return kind == v1::CASE_KIND_CASUISTIEK ? "Casuïstiekoverleg" : "Leefbaarheidsoverleg";
}

std::string ReasonLabel(int reason) {
  switch (reason) {
    case v1::AGENDA_REASON_NEWLY_TRIAGED: return "nieuw gewogen";
    case v1::AGENDA_REASON_OVERDUE_ACTIONS: return "acties over de termijn";
    case v1::AGENDA_REASON_REVIEW_DUE: return "evaluatie";
    case v1::AGENDA_REASON_PROPOSED_CLOSURE: return "voorstel tot afsluiten";
    case v1::AGENDA_REASON_ADDED: return "toegevoegd";
    default: return "";
  }
}

std::string StatusLabel(v1::CaseStatus status) {
  switch (status) {
    case v1::CASE_STATUS_REGISTERED: return "geregistreerd";
    case v1::CASE_STATUS_TRIAGE: return "weging";
    case v1::CASE_STATUS_SCHEDULED: return "geagendeerd";
    case v1::CASE_STATUS_IN_PROGRESS: return "in behandeling";
    case v1::CASE_STATUS_MONITORING: return "monitoring";
    case v1::CASE_STATUS_CLOSED: return "afgesloten";
    case v1::CASE_STATUS_REOPENED: return "heropend";
    default: return "";
  }
}

std::string RiskLabel(v1::RiskTier tier) {
  switch (tier) {
    case v1::RISK_TIER_HIGH: return "hoog";
    case v1::RISK_TIER_MEDIUM: return "midden";
    case v1::RISK_TIER_LOW: return "laag";
    default: return "";
  }
}

// One line of text as it appears in the document: no line breaks.
std::string Line(const std::string& text) { return absl::StrReplaceAll(text, {{"\r", " "}, {"\n", " "}}); }

std::string Markdown(const std::string& text) {
  std::string out;
  for (char c : Line(text)) {
    if (std::string("\\`*_[]<>#|").find(c) != std::string::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string Html(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

constexpr char kBanner[] = "Vertrouwelijk: alleen voor de deelnemers";

const char* const kWeekdays[] = {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"};
const char* const kMonths[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                               "juli",    "augustus", "september", "oktober", "november", "december"};

int WeekdayIndex(absl::Weekday w) {
  switch (w) {
    case absl::Weekday::monday: return 0;
    case absl::Weekday::tuesday: return 1;
    case absl::Weekday::wednesday: return 2;
    case absl::Weekday::thursday: return 3;
    case absl::Weekday::friday: return 4;
    case absl::Weekday::saturday: return 5;
    case absl::Weekday::sunday: return 6;
  }
  return 0;
}

// A due date as stored ("YYYY-MM-DD") written out; anything else as it is.
std::string DueDate(const std::string& stored) {
  absl::CivilDay day;
  if (stored.empty() || !absl::ParseCivilTime(stored, &day)) return stored;
  return DutchDate(day);
}

struct Field {
  std::string label;
  std::string value;
};

// One action as a row of the action list: wie, wat, uiterlijk wanneer.
struct ActionRow {
  std::string who;
  std::string what;
  std::string due;
};

ActionRow RowOf(const v1::Action& action, const NameBook& names) {
  std::vector<std::string> organisations;
  for (const std::string& id : action.organisation_ids()) organisations.push_back(names.Organisation(id));
  std::string who = absl::StrJoin(organisations, ", ");
  if (!action.assignee().empty()) absl::StrAppend(&who, " (", names.User(action.assignee()), ")");
  return {who, action.description(), DueDate(action.due_date())};
}

// What the document says of one item, in order.
std::vector<Field> ItemFields(const v1::AgendaItem& item, const v1::Case* c, bool minutes, const NameBook& names) {
  std::vector<Field> fields;
  std::vector<std::string> reasons;
  for (int r : item.reasons()) reasons.push_back(ReasonLabel(r));
  fields.push_back({"Reden", absl::StrJoin(reasons, ", ")});
  if (c != nullptr) {
    fields.push_back({"Wijk", c->area().name().empty() ? c->area().area_id() : c->area().name()});
    fields.push_back({"Status", StatusLabel(c->status())});
    if (c->risk_tier() != v1::RISK_TIER_UNSPECIFIED) {
      fields.push_back({"Risico", absl::StrCat(RiskLabel(c->risk_tier()), ": ", c->risk_reason())});
    }
  }
  if (minutes || !item.decision().empty()) {
    fields.push_back({"Besluit", item.decision().empty() ? "geen besluit" : item.decision()});
    if (!item.rationale().empty()) fields.push_back({"Motivering", item.rationale()});
  }
  for (const v1::Action& action : item.actions()) {
    ActionRow row = RowOf(action, names);
    fields.push_back({"Actie", absl::StrCat(row.what, " — ", row.who, ", uiterlijk ", row.due)});
  }
  return fields;
}

// The corrections to closed minutes, each as one line: when, who, which
// item, what.
std::vector<std::string> Corrections(const v1::Meeting& meeting, const DocumentContext& context) {
  std::vector<std::string> lines;
  for (const v1::MinutesCorrection& c : meeting.corrections()) {
    std::string about = "de notulen";
    int n = 0;
    for (const auto& item : meeting.items()) {
      ++n;
      if (item.item_id() == c.item_id()) about = absl::StrCat("punt ", n, " (", item.case_reference(), ")");
    }
    lines.push_back(absl::StrCat(DutchDateTime(absl::FromUnixSeconds(c.at().seconds()), context.zone), ", ",
                                 context.names.User(c.author().user_id()), ", ", about, ": ", c.text()));
  }
  return lines;
}

std::string AttendeeLine(const v1::Attendee& a, const NameBook& names) {
  const std::string& organisation =
      a.organisation_name().empty() ? names.Organisation(a.organisation_id()) : a.organisation_name();
  return absl::StrCat(a.name(), " (", organisation, ")");
}

constexpr char kStyle[] =
    "body{font-family:sans-serif;max-width:50em;margin:2em auto;color:#111}"
    "dt{font-weight:bold}dd{margin:0 0 .4em 0}h2{border-top:1px solid #ccc;padding-top:.5em}"
    ".vertrouwelijk{border:2px solid #a00;color:#a00;font-weight:bold;padding:.3em .6em;margin:1em 0}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3em;text-align:left;"
    "vertical-align:top}"
    // Printed, the banner is the header of every page, in the page's top
    // margin (a margin box): a position:fixed header would repeat too, but
    // inside the page's content area, over the first lines of each page.
    "@media print{body{margin:0;max-width:none}.vertrouwelijk{display:none}"
    "h2{break-after:avoid}tr{break-inside:avoid}}"
    "@page{margin:2.5cm 2cm;@top-center{content:\"Vertrouwelijk: alleen voor de deelnemers\";color:#a00;"
    "font-weight:bold;font-family:sans-serif}}";

}  // namespace

std::string DutchDate(absl::CivilDay day) {
  return absl::StrCat(kWeekdays[WeekdayIndex(absl::GetWeekday(day))], " ", day.day(), " ", kMonths[day.month() - 1],
                      " ", day.year());
}

std::string DutchDateTime(absl::Time t, absl::TimeZone zone) {
  absl::CivilMinute local = absl::ToCivilMinute(t, zone);
  return absl::StrCat(DutchDate(absl::CivilDay(local)), ", ", absl::FormatTime("%H:%M", t, zone));
}

v1::MeetingDocument MeetingDocument(const v1::Meeting& meeting, const std::map<std::string, v1::Case>& cases,
                                    v1::DocumentFormat format, const DocumentContext& context) {
  const NameBook& names = context.names;
  const absl::TimeZone zone = context.zone;
  bool minutes = meeting.status() == v1::MEETING_STATUS_CLOSED;
  absl::Time at = absl::FromUnixSeconds(meeting.starts_at().seconds());
  std::string day = absl::FormatTime("%Y-%m-%d", at, zone);
  std::string title = absl::StrCat(minutes ? "Notulen " : "Agenda ", MeetingName(meeting.kind()), " ",
                                   meeting.area().name().empty() ? meeting.area().area_id() : meeting.area().name());
  std::vector<std::string> organisations;
  for (const std::string& id : meeting.participating_organisations()) organisations.push_back(names.Organisation(id));
  std::vector<Field> header = {
      {"Datum", DutchDateTime(at, zone)},
      {"Voorzitter", names.User(meeting.chair())},
      {"Deelnemende organisaties", absl::StrJoin(organisations, ", ")},
  };
  // Closing fixes the minutes; only a later meeting approves them.
  std::string approval;
  if (minutes) {
    header.push_back({"Gesloten", DutchDateTime(absl::FromUnixSeconds(meeting.closed_at().seconds()), zone)});
    if (context.approved_in_starts_at) {
      header.push_back({"Status", "Vastgesteld"});
      approval = absl::StrCat("Deze notulen zijn vastgesteld in de vergadering van ",
                              DutchDate(absl::ToCivilDay(*context.approved_in_starts_at, zone)), ".");
    } else {
      header.push_back({"Status", "Concept: nog niet vastgesteld"});
      approval = "Concept: nog niet vastgesteld. De notulen worden vastgesteld in een volgende vergadering.";
    }
  }
  std::vector<std::string> attendees;
  for (const v1::Attendee& a : meeting.attendees()) attendees.push_back(AttendeeLine(a, names));
  std::vector<ActionRow> actions;
  for (const auto& item : meeting.items()) {
    for (const v1::Action& action : item.actions()) actions.push_back(RowOf(action, names));
  }
  std::vector<std::string> corrections = Corrections(meeting, context);
  auto item_case = [&](const v1::AgendaItem& item) -> const v1::Case* {
    auto found = cases.find(item.case_id());
    return found == cases.end() ? nullptr : &found->second;
  };

  v1::MeetingDocument doc;
  doc.set_format(format);
  std::string base = absl::StrCat(minutes ? "notulen-" : "agenda-",
                                  meeting.kind() == v1::CASE_KIND_CASUISTIEK ? "casuistiekoverleg" : "leefbaarheidsoverleg",
                                  "-", day);
  std::string& out = *doc.mutable_content();
  if (format == v1::DOCUMENT_FORMAT_HTML) {
    doc.set_file_name(base + ".html");
    absl::StrAppend(&out, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                    Html(title), "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n<main>\n<p class=\"vertrouwelijk\" role=\"note\">",
                    kBanner, "</p>\n<h1>",
                    Html(title), "</h1>\n<dl>\n");
    for (const Field& f : header) absl::StrAppend(&out, "<dt>", Html(f.label), "</dt><dd>", Html(f.value), "</dd>\n");
    absl::StrAppend(&out, "</dl>\n");
    if (!approval.empty()) absl::StrAppend(&out, "<p><strong>", Html(approval), "</strong></p>\n");
    if (minutes || !attendees.empty()) {
      absl::StrAppend(&out, "<h2>Aanwezig</h2>\n");
      if (attendees.empty()) absl::StrAppend(&out, "<p>Geen aanwezigen vastgelegd.</p>\n");
      else {
        absl::StrAppend(&out, "<ul>\n");
        for (const std::string& line : attendees) absl::StrAppend(&out, "<li>", Html(line), "</li>\n");
        absl::StrAppend(&out, "</ul>\n");
      }
    }
    if (meeting.items().empty()) absl::StrAppend(&out, "<p>Geen agendapunten.</p>\n");
    int n = 0;
    for (const auto& item : meeting.items()) {
      absl::StrAppend(&out, "<h2>", ++n, ". ", Html(item.case_reference()), " ", Html(item.case_title()), "</h2>\n<dl>\n");
      for (const Field& f : ItemFields(item, item_case(item), minutes, names)) {
        absl::StrAppend(&out, "<dt>", Html(f.label), "</dt><dd>", Html(f.value), "</dd>\n");
      }
      absl::StrAppend(&out, "</dl>\n");
    }
    if (minutes || !actions.empty()) {
      absl::StrAppend(&out, "<h2>Actielijst</h2>\n");
      if (actions.empty()) absl::StrAppend(&out, "<p>Geen acties.</p>\n");
      else {
        absl::StrAppend(&out, "<table>\n<thead><tr><th scope=\"col\">Wie</th><th scope=\"col\">Wat</th>"
                              "<th scope=\"col\">Uiterlijk</th></tr></thead>\n<tbody>\n");
        for (const ActionRow& row : actions) {
          absl::StrAppend(&out, "<tr><td>", Html(row.who), "</td><td>", Html(row.what), "</td><td>", Html(row.due),
                          "</td></tr>\n");
        }
        absl::StrAppend(&out, "</tbody>\n</table>\n");
      }
    }
    if (!corrections.empty()) {
      absl::StrAppend(&out, "<h2>Correcties</h2>\n<ul>\n");
      for (const std::string& line : corrections) absl::StrAppend(&out, "<li>", Html(line), "</li>\n");
      absl::StrAppend(&out, "</ul>\n");
    }
    absl::StrAppend(&out, "<p class=\"vertrouwelijk\" role=\"note\">", kBanner, "</p>\n</main>\n</body>\n</html>\n");
    return doc;
  }
  doc.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  doc.set_file_name(base + ".md");
  absl::StrAppend(&out, "> **", kBanner, "**\n\n# ", Markdown(title), "\n\n");
  for (const Field& f : header) absl::StrAppend(&out, "- **", f.label, ":** ", Markdown(f.value), "\n");
  absl::StrAppend(&out, "\n");
  if (!approval.empty()) absl::StrAppend(&out, "**", Markdown(approval), "**\n\n");
  if (minutes || !attendees.empty()) {
    absl::StrAppend(&out, "## Aanwezig\n\n");
    if (attendees.empty()) absl::StrAppend(&out, "Geen aanwezigen vastgelegd.\n");
    for (const std::string& line : attendees) absl::StrAppend(&out, "- ", Markdown(line), "\n");
    absl::StrAppend(&out, "\n");
  }
  if (meeting.items().empty()) absl::StrAppend(&out, "Geen agendapunten.\n\n");
  int n = 0;
  for (const auto& item : meeting.items()) {
    absl::StrAppend(&out, "## ", ++n, ". ", Markdown(item.case_reference()), " ", Markdown(item.case_title()), "\n\n");
    for (const Field& f : ItemFields(item, item_case(item), minutes, names)) {
      absl::StrAppend(&out, "- **", f.label, ":** ", Markdown(f.value), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  if (minutes || !actions.empty()) {
    absl::StrAppend(&out, "## Actielijst\n\n");
    if (actions.empty()) absl::StrAppend(&out, "Geen acties.\n");
    else absl::StrAppend(&out, "| Wie | Wat | Uiterlijk |\n| --- | --- | --- |\n");
    for (const ActionRow& row : actions) {
      absl::StrAppend(&out, "| ", Markdown(row.who), " | ", Markdown(row.what), " | ", Markdown(row.due), " |\n");
    }
    absl::StrAppend(&out, "\n");
  }
  if (!corrections.empty()) {
    absl::StrAppend(&out, "## Correcties\n\n");
    for (const std::string& line : corrections) absl::StrAppend(&out, "- ", Markdown(line), "\n");
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "---\n\n> **", kBanner, "**\n");
  return doc;
}

}  // namespace hartslag::cases
