// The meeting board in a real browser: the coordinator chairs a
// Casuïstiekoverleg and a Leefbaarheidsoverleg of Heerlen-Noord from
// "Overleggen" (tests/web/browser/meeting_board.mjs), and projects the board
// as the police would see it (meeting_partner_view.mjs). What the browser
// cannot see is checked here through the services.
#include <algorithm>

#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

class MeetingBrowserTest : public BrowserTest {
 protected:
  MeetingBrowserTest() {
    coordinator_.tenant = "heerlen";
    coordinator_.user = "carla.coordinator";
    coordinator_.organisation = "gemeente";
    meetings_ = cases::v1::MeetingService::NewStub(deployment_.Channel(deployment_.cases()));
  }

  std::string SeedCasus(cases::v1::CaseKind kind, const std::string& title, const std::string& area,
                        std::vector<std::string> organisations, cases::v1::Confidentiality confidentiality) {
    cases::v1::Case c;
    c.set_kind(kind);
    c.set_title(title);
    c.mutable_area()->set_area_id(area);
    c.set_process_coordinator("carla.coordinator");
    for (const std::string& o : organisations) c.add_participating_organisations(o);
    c.set_confidentiality(confidentiality);
    if (kind == cases::v1::CASE_KIND_LEEFBAARHEID) {
      c.mutable_address()->set_street("Hoofdstraat");
      c.mutable_address()->set_house_number(12);
      c.mutable_address()->set_postcode("6411 AB");
      c.mutable_address()->set_city("Heerlen");
    } else {
      c.add_persons()->set_name("Bewoner " + title);
    }
    auto opened = deployment_.SeedCase(coordinator_, c);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? opened->case_id() : "";
  }

  std::string Schedule(cases::v1::CaseKind kind, absl::Time at) {
    cases::v1::ScheduleMeetingsRequest request;
    request.set_request_id(RandomUuid());
    request.set_kind(kind);
    request.set_area_id("heerlen-noord");
    *request.mutable_starts_at() = TimeToProto(at);
    for (const char* o : {"politie", "buurtteam", "weller"}) request.add_participating_organisations(o);
    cases::v1::ScheduleMeetingsResponse response;
    grpc::Status status = meetings_->ScheduleMeetings(deployment_.Call(CoordinatorToken()).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.meetings_size() == 1 ? response.meetings(0).meeting_id() : "";
  }

  std::string CoordinatorToken() {
    return deployment_.Token(testing::ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"},
                                                {"heerlen-noord"}));
  }

  // The meeting as `token`'s caller gets it (purpose MEETING).
  cases::v1::Meeting MeetingAs(const std::string& token, const std::string& meeting_id) {
    cases::v1::GetMeetingRequest request;
    request.set_meeting_id(meeting_id);
    auto call = deployment_.Call(token);
    call->AddMetadata("x-hartslag-purpose", "MEETING");
    cases::v1::Meeting meeting;
    grpc::Status status = meetings_->GetMeeting(call.get(), request, &meeting);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return meeting;
  }

  static std::string ItemIds(const cases::v1::Meeting& m) {
    std::vector<std::string> ids;
    for (const auto& item : m.items()) ids.push_back(item.item_id());
    return absl::StrJoin(ids, ",");
  }

  RequestContext coordinator_;
  std::unique_ptr<cases::v1::MeetingService::Stub> meetings_;
};

TEST_F(MeetingBrowserTest, TheChairRunsTheMeetingFromTheBoardByKeyboardAndProjectsOnlyWhatThePoliceMaySee) {
  using cases::v1::CASE_KIND_CASUISTIEK;
  using cases::v1::CASE_KIND_LEEFBAARHEID;
  const std::string shared = SeedCasus(CASE_KIND_CASUISTIEK, "Zorgen om gezin Vrieheide", "vrieheide",
                                       {"politie", "buurtteam"}, cases::v1::CONFIDENTIALITY_ZAAKVERTROUWELIJK);
  const std::string care_only = SeedCasus(CASE_KIND_CASUISTIEK, "Schulden en eenzaamheid Kasteelbuurt", "kasteelbuurt",
                                          {"buurtteam"}, cases::v1::CONFIDENTIALITY_ZAAKVERTROUWELIJK);
  const std::string secret = SeedCasus(CASE_KIND_CASUISTIEK, "Geheime casus Hoofdstraat-West", "hoofdstraat-west",
                                       {"politie", "buurtteam"}, cases::v1::CONFIDENTIALITY_GEHEIM);
  const std::string doubled = SeedCasus(CASE_KIND_CASUISTIEK, "Dubbel gemeld: gezin Vrieheide", "vrieheide",
                                        {"politie"}, cases::v1::CONFIDENTIALITY_INTERN);
  // In treatment and with nothing due: no reason to generate it, only to add it.
  const std::string later = SeedCasus(CASE_KIND_CASUISTIEK, "Jongerenoverlast GMS", "gms", {"politie", "weller"},
                                      cases::v1::CONFIDENTIALITY_INTERN);
  ASSERT_TRUE(deployment_
                  .SeedCaseChange(coordinator_, later,
                                  [](cases::v1::Case& c) { c.set_status(cases::v1::CASE_STATUS_IN_PROGRESS); })
                  .ok());
  const std::string street = SeedCasus(CASE_KIND_LEEFBAARHEID, "Overlastpand Hoofdstraat", "hoofdstraat-west",
                                       {"politie", "weller"}, cases::v1::CONFIDENTIALITY_INTERN);
  ASSERT_FALSE(shared.empty() || doubled.empty() || care_only.empty() || secret.empty() || later.empty() || street.empty());

  // Next week's Wednesday-like slot at 14:00 Amsterdam time, and a week on.
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  absl::CivilDay day = absl::ToCivilDay(absl::Now() + absl::Hours(24 * 7), amsterdam);
  absl::Time first_at = absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 14), amsterdam);
  const std::string casuistiek = Schedule(CASE_KIND_CASUISTIEK, first_at);
  const std::string leefbaarheid = Schedule(CASE_KIND_LEEFBAARHEID, first_at + absl::Hours(2));
  const std::string next_casuistiek = Schedule(CASE_KIND_CASUISTIEK, first_at + absl::Hours(24 * 7));
  ASSERT_FALSE(casuistiek.empty() || leefbaarheid.empty() || next_casuistiek.empty());

  testing::CliRun board = Scenario("meeting_board", {{"MEETING_ID", casuistiek},
                                                     {"LEEFBAARHEID_ID", leefbaarheid},
                                                     {"NEXT_MEETING_ID", next_casuistiek},
                                                     {"SHARED_CASE", shared},
                                                     {"CARE_CASE", care_only},
                                                     {"SECRET_CASE", secret},
                                                     {"DOUBLED_CASE", doubled},
                                                     {"ADDED_CASE", later}});

  // What the browser did, as the service keeps it.
  auto stored = deployment_.FindMeeting("heerlen", casuistiek);
  ASSERT_TRUE(stored.ok() && stored->has_value()) << board.output;
  const cases::v1::Meeting& m = **stored;
  EXPECT_EQ(m.status(), cases::v1::MEETING_STATUS_CLOSED) << board.output;
  EXPECT_TRUE(m.has_minutes_approved_at()) << board.output;
  EXPECT_EQ(m.minutes_approved_in(), next_casuistiek);
  EXPECT_EQ(m.attendees_size(), 2) << board.output;
  EXPECT_GE(m.corrections_size(), 1) << board.output;
  std::vector<std::string> on_agenda;
  int decided = 0;
  for (const auto& item : m.items()) {
    on_agenda.push_back(item.case_id());
    if (!item.decision().empty()) {
      ++decided;
      ASSERT_EQ(item.actions_size(), 2) << board.output;
      EXPECT_NE(item.actions(0).organisation_ids(0), item.actions(1).organisation_ids(0));
    }
  }
  EXPECT_EQ(decided, 1) << board.output;
  EXPECT_NE(std::find(on_agenda.begin(), on_agenda.end(), later), on_agenda.end()) << "added by hand";
  EXPECT_EQ(std::find(on_agenda.begin(), on_agenda.end(), doubled), on_agenda.end()) << "removed";
  EXPECT_EQ(on_agenda.size(), 4u) << "four generated, one removed, one added: " << board.output;
  auto street_meeting = deployment_.FindMeeting("heerlen", leefbaarheid);
  ASSERT_TRUE(street_meeting.ok() && street_meeting->has_value());
  EXPECT_EQ((*street_meeting)->status(), cases::v1::MEETING_STATUS_CLOSED);

  // The police's own view, with a real partner token: the partner view must
  // show exactly these items, and they must be fewer than the chair's.
  const std::string police = deployment_.Token(
      testing::ClaimsFor("peter.politie", "politie", "POLICE", {"PARTNER"}, {"heerlen-noord"}));
  cases::v1::Meeting as_police = MeetingAs(police, casuistiek);
  cases::v1::Meeting as_chair = MeetingAs(CoordinatorToken(), casuistiek);
  ASSERT_GT(as_police.items_size(), 0);
  ASSERT_LT(as_police.items_size(), as_chair.items_size()) << "the care-only and the secret case stay hidden";
  Scenario("meeting_partner_view", {{"MEETING_ID", casuistiek},
                                    {"EXPECTED_ITEMS", ItemIds(as_police)},
                                    {"CHAIR_ITEMS", ItemIds(as_chair)}});
}

}  // namespace
}  // namespace hartslag::web
