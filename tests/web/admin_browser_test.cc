// The administrator's screens in a real browser (tests/web/browser/admin.mjs):
// areas, organisations, users and partner systems changed through the
// screens, and checked here in the directory itself.
#include <algorithm>

#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "tests/support/heerlen.h"
#include "tests/web/browser_fixture.h"

namespace hartslag::web {
namespace {

class AdminBrowserTest : public BrowserTest {
 protected:
  AdminBrowserTest() {
    // The deployment gives the directory only Heerlen-Noord; its wijken as
    // the administrator would have made them.
    for (const AreaRow& row : testing::HeerlenAreas()) {
      if (row.parent_area_id.empty()) continue;
      directory::v1::Area area;
      area.set_area_id(row.area_id);
      area.set_parent_area_id(row.parent_area_id);
      area.set_name(row.name);
      EXPECT_TRUE(deployment_.directory_store().CreateArea("heerlen", area, testing::Unaudited()).ok()) << row.area_id;
    }
  }

  // The user as the directory answers an administrator.
  directory::v1::User UserFromDirectory(const std::string& user_id) {
    auto directory = directory::v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
    const std::string token =
        deployment_.Token(testing::ClaimsFor("bart.beheer", "gemeente", "MUNICIPALITY", {"ADMIN"}, {}));
    directory::v1::ListUsersRequest request;
    request.set_organisation_id("straatcoaches");
    directory::v1::ListUsersResponse page;
    grpc::Status status = directory->ListUsers(deployment_.Call(token).get(), request, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& user : page.users()) {
      if (user.user_id() == user_id) return user;
    }
    ADD_FAILURE() << user_id << " not in the directory";
    return {};
  }

  std::vector<std::string> Sorted(const google::protobuf::RepeatedPtrField<std::string>& values) {
    std::vector<std::string> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
};

TEST_F(AdminBrowserTest, AnAdministratorKeepsAreasOrganisationsUsersAndPartnerSystemsWithoutUndoingOtherChanges) {
  const std::string new_password = "nieuw-" + RandomUuid().substr(0, 12);
  testing::CliRun run = Scenario("admin", {{"NEW_PASSWORD", new_password}});

  auto areas = deployment_.pool().Query(
      "SELECT area_id, coalesce(parent_area_id, '') AS parent, name FROM directory.areas "
      "WHERE tenant_id = 'heerlen' AND area_id IN ('heerlen-centrum', 'schandelen') ORDER BY area_id",
      {});
  ASSERT_TRUE(areas.ok()) << areas.status();
  ASSERT_EQ(areas->size(), 2) << run.output;
  EXPECT_EQ(areas->Text(0, "parent"), "") << "Heerlen-Centrum is a focus area";
  EXPECT_EQ(areas->Text(1, "parent"), "heerlen-centrum") << "Schandelen was moved under it";
  EXPECT_EQ(areas->Text(1, "name"), "Schandelen") << "a move leaves the name";

  auto organisation = deployment_.pool().Query(
      "SELECT name, kind FROM directory.organisations WHERE tenant_id = 'heerlen' AND organisation_id = 'buurtbemiddeling'",
      {});
  ASSERT_TRUE(organisation.ok() && organisation->size() == 1) << run.output;
  EXPECT_EQ(organisation->Text(0, "name"), "Buurtbemiddeling Parkstad");
  EXPECT_EQ(organisation->Text(0, "kind"), "OTHER");

  // The roles were changed in one tab while the areas were changed in
  // another: both changes stand, and nothing else moved.
  directory::v1::User nina = UserFromDirectory("nina.nieuw");
  EXPECT_EQ(Sorted(nina.roles()), (std::vector<std::string>{"COORDINATOR", "REPORTER"})) << run.output;
  EXPECT_EQ(Sorted(nina.areas()), (std::vector<std::string>{"kasteelbuurt", "vrieheide"})) << run.output;
  EXPECT_EQ(nina.organisation_id(), "straatcoaches");
  EXPECT_EQ(nina.display_name(), "Nina Nieuw");
  EXPECT_FALSE(nina.active()) << "deactivated at the end";

  auto account = deployment_.directory_store().FindAccount("heerlen", "nina.nieuw");
  ASSERT_TRUE(account.ok() && account->has_value());
  EXPECT_TRUE(directory::VerifyPassword(new_password, (*account)->password_hash)) << "the password set on screen";
  EXPECT_EQ((*account)->password_hash.find(new_password), std::string::npos) << "kept as a hash";

  auto client = deployment_.pool().Query(
      "SELECT organisation_id, certificate_uri, active FROM directory.integrated_clients "
      "WHERE tenant_id = 'heerlen' AND client_id = 'politie-bvh'",
      {});
  ASSERT_TRUE(client.ok() && client->size() == 1) << run.output;
  EXPECT_EQ(client->Text(0, "organisation_id"), "politie");
  EXPECT_EQ(client->Text(0, "certificate_uri"), "spiffe://hartslag/heerlen/client/politie-bvh");
  EXPECT_FALSE(client->Bool(0, "active"));
}

}  // namespace
}  // namespace hartslag::web
