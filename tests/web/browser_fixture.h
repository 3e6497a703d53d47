// What every browser test shares (tests/web/*_browser_test.cc): a real
// deployment of the services with Heerlen's organisations and one user per
// role, a real hartslag-web serving the built front end, and a way to run a
// scenario of tests/web/browser/ against them with node.
#ifndef HARTSLAG_TESTS_WEB_BROWSER_FIXTURE_H_
#define HARTSLAG_TESTS_WEB_BROWSER_FIXTURE_H_

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

inline constexpr char kPassword[] = "lang-genoeg-wachtwoord";

class BrowserTest : public ::testing::Test {
 protected:
  BrowserTest() {
    auto& dir = deployment_.directory_store();
    EXPECT_TRUE(dir.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (const auto& [id, name, kind] : std::vector<std::tuple<std::string, std::string, common::v1::OrganisationKind>>{
             {"gemeente", "Gemeente Heerlen", common::v1::ORGANISATION_KIND_MUNICIPALITY},
             {"straatcoaches", "Straatcoaches", common::v1::ORGANISATION_KIND_MUNICIPALITY},
             {"weller", "Weller Wonen", common::v1::ORGANISATION_KIND_HOUSING},
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
    AddUser("wim.weller", "Wim", "weller", "PARTNER");
    AddUser("carla.coordinator", "Carla", "gemeente", "COORDINATOR");
    AddUser("pien.privacy", "Pien", "gemeente", "PRIVACY_OFFICER");
    AddUser("bart.beheer", "Bart", "gemeente", "ADMIN");
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

}  // namespace hartslag::web

#endif  // HARTSLAG_TESTS_WEB_BROWSER_FIXTURE_H_
