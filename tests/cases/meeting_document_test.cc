// The meeting documents as a secretary files them: Dutch labels and dates,
// names instead of ids, attendees, the action list, the confidentiality
// banner, concept or approved minutes, and text from users escaped in both
// formats.
#include "services/cases/meeting_document.h"

#include <gtest/gtest.h>

namespace hartslag::cases {
namespace {

class MeetingDocumentTest : public ::testing::Test {
 protected:
  MeetingDocumentTest() {
    EXPECT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone_));
    meeting_.set_kind(v1::CASE_KIND_LEEFBAARHEID);
    meeting_.mutable_area()->set_name("Vrieheide");
    meeting_.mutable_starts_at()->set_seconds(
        absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(2026, 12, 9, 14, 0), zone_)));
    meeting_.set_chair("carla.coordinator");
    meeting_.add_participating_organisations("politie");
    meeting_.add_participating_organisations("buurtteam");
    context_.zone = zone_;
    context_.names.organisations = {{"politie", "Politie Limburg"}, {"buurtteam", "Buurtteam Heerlen"}};
    context_.names.users = {{"carla.coordinator", "Carla Coördinator"}, {"peter.politie", "Peter Politie"}};
    v1::AgendaItem* item = meeting_.add_items();
    item->set_item_id("i1");
    item->set_case_id("c1");
    item->set_case_reference("CS-2026-000001");
    item->set_case_title("Dumping <script>alert(1)</script> *nu*");
    item->add_reasons(v1::AGENDA_REASON_NEWLY_TRIAGED);
    item->add_reasons(v1::AGENDA_REASON_OVERDUE_ACTIONS);
    cases_["c1"].set_status(v1::CASE_STATUS_IN_PROGRESS);
    cases_["c1"].mutable_area()->set_name("Vrieheide");
  }

  // Closed, with one decision that gave an action, and who attended.
  void Close() {
    meeting_.set_status(v1::MEETING_STATUS_CLOSED);
    meeting_.mutable_closed_at()->set_seconds(meeting_.starts_at().seconds() + 3600);
    v1::AgendaItem& item = *meeting_.mutable_items(0);
    item.set_decision("Extra toezicht & handhaving");
    item.set_rationale("Drie meldingen in een week");
    v1::Action& action = *item.add_actions();
    action.set_description("Surveillance in de avond");
    action.add_organisation_ids("politie");
    action.set_assignee("peter.politie");
    action.set_due_date("2026-12-18");
    v1::Attendee& attendee = *meeting_.add_attendees();
    attendee.set_name("Zora Zorg");
    attendee.set_organisation_id("buurtteam");
    attendee.set_organisation_name("Buurtteam Heerlen");
    v1::MinutesCorrection& correction = *meeting_.add_corrections();
    correction.set_text("Actie ook voor de wijkagent");
    correction.mutable_author()->set_user_id("carla.coordinator");
    correction.mutable_at()->set_seconds(meeting_.starts_at().seconds() + 7200);
  }

  absl::TimeZone zone_;
  DocumentContext context_;
  v1::Meeting meeting_;
  std::map<std::string, v1::Case> cases_;
};

TEST_F(MeetingDocumentTest, AnAgendaInMarkdownHasDutchLabelsAndEscapedText) {
  v1::MeetingDocument doc = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_MARKDOWN, context_);
  EXPECT_EQ(doc.file_name(), "agenda-leefbaarheidsoverleg-2026-12-09.md");
  const std::string& md = doc.content();
  EXPECT_EQ(md.rfind("> **Vertrouwelijk: alleen voor de deelnemers**\n\n# Agenda Leefbaarheidsoverleg Vrieheide\n", 0),
            0u) << md;
  EXPECT_NE(md.find("- **Datum:** woensdag 9 december 2026, 14:00"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Voorzitter:** Carla Coördinator"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Deelnemende organisaties:** Politie Limburg, Buurtteam Heerlen"), std::string::npos) << md;
  EXPECT_EQ(md.find("carla.coordinator"), std::string::npos) << "names, not ids: " << md;
  EXPECT_NE(md.find("- **Reden:** nieuw gewogen, acties over de termijn"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Status:** in behandeling"), std::string::npos) << md;
  EXPECT_NE(md.find("\\<script\\>"), std::string::npos) << "markup is escaped: " << md;
  EXPECT_NE(md.find("\\*nu\\*"), std::string::npos) << md;
  EXPECT_EQ(md.find("Besluit"), std::string::npos) << "no decisions before the meeting";
}

TEST_F(MeetingDocumentTest, ClosedMeetingsGiveMinutesAsASelfContainedHtmlPage) {
  Close();
  v1::MeetingDocument doc = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_HTML, context_);
  EXPECT_EQ(doc.file_name(), "notulen-leefbaarheidsoverleg-2026-12-09.html");
  const std::string& html = doc.content();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"nl\">"), std::string::npos);
  EXPECT_NE(html.find("<h1>Notulen Leefbaarheidsoverleg Vrieheide</h1>"), std::string::npos) << html;
  EXPECT_NE(html.find("<dt>Besluit</dt><dd>Extra toezicht &amp; handhaving</dd>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos) << "no live markup from users";
  EXPECT_EQ(html.find("http"), std::string::npos) << "self-contained: nothing loaded from elsewhere";
}

TEST_F(MeetingDocumentTest, MinutesInMarkdownNameAttendeesActionsAndAuthorsAndAreAConceptUntilApproved) {
  Close();
  const std::string md = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_MARKDOWN, context_).content();
  EXPECT_NE(md.find("- **Status:** Concept: nog niet vastgesteld"), std::string::npos) << md;
  EXPECT_EQ(md.find("Vastgesteld"), std::string::npos) << "closing is no approval: " << md;
  EXPECT_NE(md.find("## Aanwezig\n\n- Zora Zorg (Buurtteam Heerlen)\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Besluit:** Extra toezicht & handhaving"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Motivering:** Drie meldingen in een week"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Actie:** Surveillance in de avond — Politie Limburg (Peter Politie), uiterlijk vrijdag 18 "
                    "december 2026"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Actielijst\n\n| Wie | Wat | Uiterlijk |\n| --- | --- | --- |\n"
                    "| Politie Limburg (Peter Politie) | Surveillance in de avond | vrijdag 18 december 2026 |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- woensdag 9 december 2026, 16:00, Carla Coördinator, de notulen: Actie ook voor de wijkagent"),
            std::string::npos)
      << md;
  EXPECT_NE(md.rfind("> **Vertrouwelijk: alleen voor de deelnemers**\n"), 0u) << "the banner closes it too: " << md;
  for (const char* id : {"peter.politie", "carla.coordinator", "| politie", "buurtteam,"}) {
    EXPECT_EQ(md.find(id), std::string::npos) << id << " in " << md;
  }

  meeting_.set_minutes_approved_in("m2");
  meeting_.mutable_minutes_approved_at()->set_seconds(meeting_.starts_at().seconds() + 7 * 86400);
  context_.approved_in_starts_at = absl::FromUnixSeconds(meeting_.starts_at().seconds()) + absl::Hours(7 * 24);
  const std::string approved = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_MARKDOWN, context_).content();
  EXPECT_NE(approved.find("- **Status:** Vastgesteld"), std::string::npos) << approved;
  EXPECT_NE(approved.find("vastgesteld in de vergadering van woensdag 16 december 2026"), std::string::npos)
      << approved;
  EXPECT_EQ(approved.find("Concept"), std::string::npos) << approved;
}

TEST_F(MeetingDocumentTest, HtmlMinutesRepeatTheBannerOnEveryPrintedPageAndListActionsInATable) {
  Close();
  const std::string html = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_HTML, context_).content();
  EXPECT_NE(html.find("<p class=\"vertrouwelijk\" role=\"note\">Vertrouwelijk: alleen voor de deelnemers</p>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("@page{margin:2.5cm 2cm;@top-center{content:\"Vertrouwelijk: alleen voor de deelnemers\""),
            std::string::npos)
      << "the header of every printed page: " << html;
  EXPECT_NE(html.find("@media print{body{margin:0;max-width:none}.vertrouwelijk{display:none}"), std::string::npos)
      << "printed once per page, not also in the text";
  EXPECT_NE(html.find("<dt>Datum</dt><dd>woensdag 9 december 2026, 14:00</dd>"), std::string::npos) << html;
  EXPECT_NE(html.find("<dt>Voorzitter</dt><dd>Carla Coördinator</dd>"), std::string::npos) << html;
  EXPECT_NE(html.find("<li>Zora Zorg (Buurtteam Heerlen)</li>"), std::string::npos) << html;
  EXPECT_NE(html.find("<th scope=\"col\">Wie</th><th scope=\"col\">Wat</th><th scope=\"col\">Uiterlijk</th>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>Politie Limburg (Peter Politie)</td><td>Surveillance in de avond</td>"
                      "<td>vrijdag 18 december 2026</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<dt>Status</dt><dd>Concept: nog niet vastgesteld</dd>"), std::string::npos) << html;
}

TEST_F(MeetingDocumentTest, AnIdTheDirectoryDidNotHandOverStandsForItself) {
  meeting_.set_chair("onbekend.persoon");
  meeting_.add_participating_organisations("nieuwe-partner");
  const std::string md = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_MARKDOWN, context_).content();
  EXPECT_NE(md.find("- **Voorzitter:** onbekend.persoon"), std::string::npos) << md;
  EXPECT_NE(md.find("Buurtteam Heerlen, nieuwe-partner"), std::string::npos) << md;
}

TEST(DutchDatesTest, WeekdayAndMonthAreWrittenOutInTheTenantsZone) {
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  // 23:30 UTC on Saturday 27 March 2027 is already Sunday in Amsterdam.
  EXPECT_EQ(DutchDateTime(absl::FromCivil(absl::CivilMinute(2027, 3, 27, 23, 30), absl::UTCTimeZone()), amsterdam),
            "zondag 28 maart 2027, 00:30");
  EXPECT_EQ(DutchDate(absl::CivilDay(2026, 12, 18)), "vrijdag 18 december 2026");
  EXPECT_EQ(DutchDate(absl::CivilDay(2027, 1, 4)), "maandag 4 januari 2027");
}

}  // namespace
}  // namespace hartslag::cases
