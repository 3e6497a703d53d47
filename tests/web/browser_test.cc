// The screens in a real browser: Debian's Chromium, headless, driven by
// the scenarios in tests/web/browser/ (playwright-core), against a real
// hartslag-web serving the built front end in front of the real services
// and PostgreSQL. Each test seeds what its scenario needs, runs it with
// node, and checks in the database what the browser cannot see.
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

TEST_F(BrowserTest, AStreetCoachSubmitsASignalOnAPhoneAndSeesItAsText) {
  testing::CliRun run = Scenario("signal_form");
  EXPECT_EQ(SignalsWith(R"(<script>window.__xss = 1</script><img src="x" onerror="window.__xss = 2"> matrassen bij de container)"), 1)
      << run.output;
}

TEST_F(BrowserTest, ALostAnswerAReloadALostConnectionAndARefusalStoreEachSignalExactlyOnce) {
  const std::string lost = "Antwoord verloren onderweg, pagina herladen: " + RandomUuid();
  const std::string offline = "Geen verbinding bij het versturen: " + RandomUuid();
  const std::string corrected = "Verbeterd na een weigering: " + RandomUuid();
  testing::CliRun run = Scenario("flaky_network", {{"LOST_ANSWER_DESCRIPTION", lost},
                                                   {"OFFLINE_DESCRIPTION", offline},
                                                   {"CORRECTED_DESCRIPTION", corrected}});
  EXPECT_EQ(SignalsWith(lost), 1) << run.output;
  EXPECT_EQ(SignalsWith(offline), 1) << run.output;
  EXPECT_EQ(SignalsWith(corrected), 1) << run.output;
  EXPECT_EQ(SignalsWith("kort"), 0) << run.output;
}

TEST_F(BrowserTest, AStreetCoachAnswersTheCategorysQuestionsAndAddsPhotosThatArriveAfterAnOfflineEvening) {
  // Heerlen's back office files bulky waste under "Afval / dumping" and asks
  // about it; "Afval / dumping" itself now only groups.
  intake::v1::Category grofvuil;
  grofvuil.set_category_id("grofvuil");
  grofvuil.set_parent_category_id("afval-dumping");
  grofvuil.set_label("Grofvuil");
  grofvuil.set_description("Grote spullen die naast of buiten een container zijn gezet.");
  grofvuil.set_default_meeting(intake::v1::MEETING_KIND_LEEFBAARHEID);
  grofvuil.set_handling_deadline_days(3);
  grofvuil.set_handling_deadline_day_count(intake::v1::DAY_COUNT_WORKING);
  auto question = [&](const std::string& id, const std::string& label, intake::v1::QuestionType type, bool required,
                      std::vector<std::string> options = {}, const std::string& help = "") {
    intake::v1::Question* q = grofvuil.add_questions();
    q->set_question_id(id);
    q->set_label(label);
    q->set_type(type);
    q->set_required(required);
    q->set_help_text(help);
    for (const std::string& option : options) q->add_options(option);
  };
  question("soort", "Wat ligt er?", intake::v1::QUESTION_TYPE_ONE_OF, true, {"Matras", "Bankstel", "Witgoed", "Anders"},
           "Kies wat het meeste plaats inneemt.");
  question("gevaarlijk", "Ligt er iets gevaarlijks bij?", intake::v1::QUESTION_TYPE_YES_NO, true, {},
           "Bijvoorbeeld glas, chemicaliën of gasflessen.");
  question("zakken", "Hoeveel vuilniszakken?", intake::v1::QUESTION_TYPE_NUMBER, false);
  question("sinds", "Sinds wanneer ligt het er?", intake::v1::QUESTION_TYPE_DATE, false);
  question("kenmerken", "Wat valt op?", intake::v1::QUESTION_TYPE_SEVERAL_OF, false,
           {"Blokkeert de stoep", "Trekt ongedierte", "Ligt er vaker"});
  question("toelichting", "Toelichting voor de handhaver", intake::v1::QUESTION_TYPE_TEXT, false);
  CreateCategory(grofvuil);

  const std::string answered = "Matras en zakken naast de container: " + RandomUuid();
  const std::string offline = "Om elf uur zonder verbinding gemeld, met foto: " + RandomUuid();
  testing::CliRun run = Scenario("questions_photos", {{"ANSWERED_DESCRIPTION", answered},
                                                      {"OFFLINE_DESCRIPTION", offline}});

  auto [answers, attachments] = StoredWith(answered);
  std::map<std::string, nlohmann::json> by_question;
  for (const auto& a : answers) by_question[a.value("questionId", "")] = a;
  EXPECT_EQ(by_question["soort"].value("choice", ""), "Matras") << run.output;
  EXPECT_EQ(by_question["gevaarlijk"].value("yesNo", true), false) << run.output;
  EXPECT_EQ(by_question["zakken"].value("number", 0.0), 3.0) << run.output;
  EXPECT_EQ(by_question["sinds"].value("date", ""), "2026-01-02") << run.output;
  EXPECT_EQ(by_question["kenmerken"]["choices"]["options"],
            nlohmann::json::array({"Blokkeert de stoep", "Ligt er vaker"})) << run.output;
  EXPECT_FALSE(by_question.contains("toelichting")) << "an open question left empty is not answered";
  EXPECT_EQ(attachments, std::vector<std::string>{"image/jpeg"}) << "the photo, not the refused file: " << run.output;

  auto [offline_answers, offline_attachments] = StoredWith(offline);
  EXPECT_EQ(offline_attachments, std::vector<std::string>{"image/jpeg"}) << run.output;
  EXPECT_EQ(SignalsWith(offline), 1) << run.output;
}

TEST_F(BrowserTest, ThePoliceCompleteAJointActionLiveOnTheCareScreenAndNeverSeeACareNote) {
  RequestContext coordinator;
  coordinator.tenant = "heerlen";
  coordinator.user = "carla.coordinator";
  cases::v1::Case c;
  c.set_kind(cases::v1::CASE_KIND_CASUISTIEK);
  c.set_title("Zorgen om bewoner Kasteelweg 3");
  c.mutable_area()->set_area_id("kasteelbuurt");
  c.set_process_coordinator("carla.coordinator");
  c.add_participating_organisations("politie");
  c.add_participating_organisations("buurtteam");
  c.set_confidentiality(cases::v1::CONFIDENTIALITY_ZAAKVERTROUWELIJK);
  auto opened = deployment_.SeedCase(coordinator, c);
  ASSERT_TRUE(opened.ok()) << opened.status();
  cases::v1::Action action;
  action.set_action_id(RandomUuid());
  action.set_case_id(opened->case_id());
  action.set_description("Gezamenlijk huisbezoek <b>vóór</b> vrijdag");
  action.add_organisation_ids("politie");
  action.add_organisation_ids("buurtteam");
  action.set_due_date("2099-01-01");
  action.set_status(cases::v1::ACTION_STATUS_OPEN);
  for (int number : {3, 5}) {
    common::v1::Address* address = action.add_addresses()->mutable_address();
    address->set_street("Kasteelweg");
    address->set_house_number(number);
    address->set_postcode("6417 BC");
    address->set_city("Heerlen");
  }
  ASSERT_TRUE(deployment_.SeedAction(coordinator, action).ok());
  Scenario("partner_actions", {{"CASE_ID", opened->case_id()}, {"ACTION_ID", action.action_id()}});
}

TEST_F(BrowserTest, TheSessionIsGuardedAndEndsWhenItExpiresOrTheUserLogsOut) {
  auto sealer = SealedCookie::FromKey(web_->session_key(), "__Host-hartslag");
  ASSERT_TRUE(sealer.ok());
  v1::SessionCookie ended;
  *ended.mutable_session_expires_at() = TimeToProto(absl::Now() - absl::Minutes(1));
  testing::CliRun run = Scenario("session_security", {{"EXPIRED_COOKIE", sealer->Seal(ended.SerializeAsString())}});
  auto rows = deployment_.pool().Query("SELECT count(*) AS n FROM intake.signals", {});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Text(0, "n"), "0") << "the 10 MB body reached no service: " << run.output;
}

}  // namespace
}  // namespace hartslag::web
