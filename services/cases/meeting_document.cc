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

struct Field {
  std::string label;
  std::string value;
};

// What the document says of one item, in order.
std::vector<Field> ItemFields(const v1::AgendaItem& item, const v1::Case* c, bool minutes) {
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
    std::string who = absl::StrJoin(action.organisation_ids(), ", ");
    if (!action.assignee().empty()) absl::StrAppend(&who, " (", action.assignee(), ")");
    fields.push_back({"Actie", absl::StrCat(action.description(), " — ", who, ", gereed ", action.due_date())});
  }
  return fields;
}

// The corrections to closed minutes, each as one line: when, who, which
// item, what.
std::vector<std::string> Corrections(const v1::Meeting& meeting, absl::TimeZone zone) {
  std::vector<std::string> lines;
  for (const v1::MinutesCorrection& c : meeting.corrections()) {
    std::string about = "de notulen";
    int n = 0;
    for (const auto& item : meeting.items()) {
      ++n;
      if (item.item_id() == c.item_id()) about = absl::StrCat("punt ", n, " (", item.case_reference(), ")");
    }
    lines.push_back(absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(c.at().seconds()), zone),
                                 ", ", c.author().user_id(), ", ", about, ": ", c.text()));
  }
  return lines;
}

}  // namespace

v1::MeetingDocument MeetingDocument(const v1::Meeting& meeting, const std::map<std::string, v1::Case>& cases,
                                    v1::DocumentFormat format, absl::TimeZone zone) {
  bool minutes = meeting.status() == v1::MEETING_STATUS_CLOSED;
  absl::Time at = absl::FromUnixSeconds(meeting.starts_at().seconds());
  std::string day = absl::FormatTime("%Y-%m-%d", at, zone);
  std::string title = absl::StrCat(minutes ? "Notulen " : "Agenda ", MeetingName(meeting.kind()), " ",
                                   meeting.area().name().empty() ? meeting.area().area_id() : meeting.area().name());
  std::vector<Field> header = {
      {"Datum", absl::FormatTime("%Y-%m-%d %H:%M", at, zone)},
      {"Voorzitter", meeting.chair()},
      {"Deelnemende organisaties", absl::StrJoin(meeting.participating_organisations(), ", ")},
  };
  if (minutes) header.push_back({"Vastgesteld", absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(meeting.closed_at().seconds()), zone)});

  v1::MeetingDocument doc;
  doc.set_format(format);
  std::string base = absl::StrCat(minutes ? "notulen-" : "agenda-",
                                  meeting.kind() == v1::CASE_KIND_CASUISTIEK ? "casuistiekoverleg" : "leefbaarheidsoverleg",
                                  "-", day);
  std::string& out = *doc.mutable_content();
  if (format == v1::DOCUMENT_FORMAT_HTML) {
    doc.set_file_name(base + ".html");
    absl::StrAppend(&out, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                    Html(title), "</title>\n<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
                    "dt{font-weight:bold}dd{margin:0 0 .4em 0}h2{border-top:1px solid #ccc;padding-top:.5em}</style>\n"
                    "</head>\n<body>\n<h1>", Html(title), "</h1>\n<dl>\n");
    for (const Field& f : header) absl::StrAppend(&out, "<dt>", Html(f.label), "</dt><dd>", Html(f.value), "</dd>\n");
    absl::StrAppend(&out, "</dl>\n");
    if (meeting.items().empty()) absl::StrAppend(&out, "<p>Geen agendapunten.</p>\n");
    int n = 0;
    for (const auto& item : meeting.items()) {
      auto found = cases.find(item.case_id());
      const v1::Case* c = found == cases.end() ? nullptr : &found->second;
      absl::StrAppend(&out, "<h2>", ++n, ". ", Html(item.case_reference()), " ", Html(item.case_title()), "</h2>\n<dl>\n");
      for (const Field& f : ItemFields(item, c, minutes)) {
        absl::StrAppend(&out, "<dt>", Html(f.label), "</dt><dd>", Html(f.value), "</dd>\n");
      }
      absl::StrAppend(&out, "</dl>\n");
    }
    std::vector<std::string> corrections = Corrections(meeting, zone);
    if (!corrections.empty()) {
      absl::StrAppend(&out, "<h2>Correcties</h2>\n<ul>\n");
      for (const std::string& line : corrections) absl::StrAppend(&out, "<li>", Html(line), "</li>\n");
      absl::StrAppend(&out, "</ul>\n");
    }
    absl::StrAppend(&out, "</body>\n</html>\n");
    return doc;
  }
  doc.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  doc.set_file_name(base + ".md");
  absl::StrAppend(&out, "# ", Markdown(title), "\n\n");
  for (const Field& f : header) absl::StrAppend(&out, "- **", f.label, ":** ", Markdown(f.value), "\n");
  absl::StrAppend(&out, "\n");
  if (meeting.items().empty()) absl::StrAppend(&out, "Geen agendapunten.\n");
  int n = 0;
  for (const auto& item : meeting.items()) {
    auto found = cases.find(item.case_id());
    const v1::Case* c = found == cases.end() ? nullptr : &found->second;
    absl::StrAppend(&out, "## ", ++n, ". ", Markdown(item.case_reference()), " ", Markdown(item.case_title()), "\n\n");
    for (const Field& f : ItemFields(item, c, minutes)) absl::StrAppend(&out, "- **", f.label, ":** ", Markdown(f.value), "\n");
    absl::StrAppend(&out, "\n");
  }
  std::vector<std::string> corrections = Corrections(meeting, zone);
  if (!corrections.empty()) {
    absl::StrAppend(&out, "## Correcties\n\n");
    for (const std::string& line : corrections) absl::StrAppend(&out, "- ", Markdown(line), "\n");
  }
  return doc;
}

}  // namespace hartslag::cases
