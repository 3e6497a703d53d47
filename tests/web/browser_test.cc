// The screens in a real browser: Debian's Chromium, headless, driven by
// the scenarios in tests/web/browser/ (playwright-core), against a real
// hartslag-web serving the built front end in front of the real services
// and PostgreSQL. Each test seeds what its scenario needs, runs it with
// node, and checks in the database what the browser cannot see.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "hartslag/web/v1/web.pb.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"
#include "services/directory/password.h"
#include "services/web/sealed_cookie.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/test_keys.h"
#include "tests/support/web_process.h"

namespace hartslag::web {
namespace {

constexpr char kPassword[] = "lang-genoeg-wachtwoord";

class BrowserTest : public ::testing::Test {
 protected:
  BrowserTest() {
    auto& dir = deployment_.directory_store();
    EXPECT_TRUE(dir.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (const auto& [id, name, kind] : std::vector<std::tuple<std::string, std::string, common::v1::OrganisationKind>>{
             {"straatcoaches", "Straatcoaches", common::v1::ORGANISATION_KIND_MUNICIPALITY},
             {"politie", "Politie Limburg", common::v1::ORGANISATION_KIND_POLICE},
             {"buurtteam", "Buurtteam Heerlen", common::v1::ORGANISATION_KIND_CARE}}) {
      directory::v1::Organisation org;
      org.set_organisation_id(id);
      org.set_name(name);
      org.set_kind(kind);
      EXPECT_TRUE(dir.CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
    }
    directory::v1::Area area;  // the users' area; intake and cases have it from the deployment
    area.set_area_id("heerlen-noord");
    area.set_name("Heerlen-Noord");
    EXPECT_TRUE(dir.CreateArea("heerlen", area, testing::Unaudited()).ok());
    AddUser("sam.straatcoach", "Sam", "straatcoaches", "REPORTER");
    AddUser("peter.politie", "Peter", "politie", "PARTNER");
    AddUser("zora.zorg", "Zora", "buurtteam", "PARTNER");
    // Heerlen's areas (tests/support/heerlen.h) the deployment seeds.
    web_ = std::make_unique<testing::WebProcess>(HARTSLAG_WEB_BINARY, deployment_, HARTSLAG_WEB_STATIC_DIR);
  }

  void AddUser(const std::string& id, const std::string& name, const std::string& org, const std::string& role) {
    directory::v1::User user;
    user.set_user_id(id);
    user.set_display_name(name);
    user.set_organisation_id(org);
    user.add_roles(role);
    user.add_areas("heerlen-noord");
    absl::Status created = deployment_.directory_store()
                               .CreateUser("heerlen", user, *directory::HashPassword(kPassword), testing::Unaudited())
                               .status();
    EXPECT_TRUE(created.ok()) << created;
  }

  // Runs tests/web/browser/<scenario>.mjs with `env`; what it printed is
  // shown when it fails.
  testing::CliRun Scenario(const std::string& scenario, const std::vector<std::pair<std::string, std::string>>& env = {}) {
    std::vector<std::string> assignments = {
        absl::StrCat("HARTSLAG_WEB_URL=https://localhost:", web_->port()),
        absl::StrCat("HARTSLAG_PASSWORD=", kPassword)};
    for (const auto& [name, value] : env) assignments.push_back(absl::StrCat(name, "='", value, "'"));
    testing::CliRun run = testing::RunShell(absl::StrCat("env ", absl::StrJoin(assignments, " "), " ", HARTSLAG_NODE,
                                                         " ", HARTSLAG_BROWSER_SCENARIOS, "/", scenario, ".mjs 2>&1"));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return run;
  }

  // Creates `category` as Heerlen's administrator does (CategoryService).
  void CreateCategory(const intake::v1::Category& category) {
    auto admin = intake::v1::CategoryService::NewStub(deployment_.Channel(deployment_.intake()));
    const std::string token = deployment_.Token(
        testing::ClaimsFor("heerlen.beheer", "straatcoaches", "MUNICIPALITY", {"ADMIN"}, {"heerlen-noord"}));
    intake::v1::CreateCategoryRequest request;
    *request.mutable_category() = category;
    intake::v1::Category created;
    grpc::Status status = admin->CreateCategory(deployment_.Call(token).get(), request, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The stored answers (proto3 JSON) and attachments' media types of the
  // one signal that holds exactly `description`.
  std::pair<nlohmann::json, std::vector<std::string>> StoredWith(const std::string& description) {
    auto rows = deployment_.pool().Query(
        "SELECT s.answers::text AS answers, coalesce((SELECT string_agg(a.media_type, ',' ORDER BY a.created_at) "
        "FROM intake.attachments a WHERE a.signal_id = s.signal_id), '') AS types "
        "FROM intake.signals s WHERE s.description = $1",
        {description});
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->size() != 1) return {nlohmann::json::array(), {}};
    std::string types = rows->Text(0, "types");
    return {nlohmann::json::parse(rows->Text(0, "answers")),
            types.empty() ? std::vector<std::string>{} : absl::StrSplit(types, ',')};
  }

  // How many signals of the tenant hold exactly `description`.
  int SignalsWith(const std::string& description) {
    auto rows = deployment_.pool().Query("SELECT count(*) AS n FROM intake.signals WHERE description = $1",
                                         {description});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? std::stoi(rows->Text(0, "n")) : -1;
  }

  testing::Deployment deployment_;
  std::unique_ptr<testing::WebProcess> web_;
};

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
