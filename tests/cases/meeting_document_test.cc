// The meeting documents: Dutch labels, agenda before and minutes after
// closing, and text from users escaped in both formats.
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
        absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(2026, 12, 2, 14, 0), zone_)));
    meeting_.set_chair("carla.coordinator");
    meeting_.add_participating_organisations("politie");
    v1::AgendaItem* item = meeting_.add_items();
    item->set_case_id("c1");
    item->set_case_reference("CS-2026-000001");
    item->set_case_title("Dumping <script>alert(1)</script> *nu*");
    item->add_reasons(v1::AGENDA_REASON_NEWLY_TRIAGED);
    item->add_reasons(v1::AGENDA_REASON_OVERDUE_ACTIONS);
    cases_["c1"].set_status(v1::CASE_STATUS_IN_PROGRESS);
    cases_["c1"].mutable_area()->set_name("Vrieheide");
  }

  absl::TimeZone zone_;
  v1::Meeting meeting_;
  std::map<std::string, v1::Case> cases_;
};

TEST_F(MeetingDocumentTest, AnAgendaInMarkdownHasDutchLabelsAndEscapedText) {
  v1::MeetingDocument doc = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_MARKDOWN, zone_);
  EXPECT_EQ(doc.file_name(), "agenda-leefbaarheidsoverleg-2026-12-02.md");
  const std::string& md = doc.content();
  EXPECT_EQ(md.rfind("# Agenda Leefbaarheidsoverleg Vrieheide\n", 0), 0u) << md;
  EXPECT_NE(md.find("- **Datum:** 2026-12-02 14:00"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Reden:** nieuw gewogen, acties over de termijn"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Status:** in behandeling"), std::string::npos) << md;
  EXPECT_NE(md.find("\\<script\\>"), std::string::npos) << "markup is escaped: " << md;
  EXPECT_NE(md.find("\\*nu\\*"), std::string::npos) << md;
  EXPECT_EQ(md.find("Besluit"), std::string::npos) << "no decisions before the meeting";
}

TEST_F(MeetingDocumentTest, ClosedMeetingsGiveMinutesAsASelfContainedHtmlPage) {
  meeting_.set_status(v1::MEETING_STATUS_CLOSED);
  meeting_.mutable_closed_at()->set_seconds(meeting_.starts_at().seconds() + 3600);
  meeting_.mutable_items(0)->set_decision("Extra toezicht & handhaving");
  v1::MeetingDocument doc = MeetingDocument(meeting_, cases_, v1::DOCUMENT_FORMAT_HTML, zone_);
  EXPECT_EQ(doc.file_name(), "notulen-leefbaarheidsoverleg-2026-12-02.html");
  const std::string& html = doc.content();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"nl\">"), std::string::npos);
  EXPECT_NE(html.find("<h1>Notulen Leefbaarheidsoverleg Vrieheide</h1>"), std::string::npos) << html;
  EXPECT_NE(html.find("<dt>Besluit</dt><dd>Extra toezicht &amp; handhaving</dd>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos) << "no live markup from users";
  EXPECT_EQ(html.find("http"), std::string::npos) << "self-contained: nothing loaded from elsewhere";
}

}  // namespace
}  // namespace hartslag::cases
