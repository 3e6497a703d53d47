// Identity end to end: hartslag-directory and hartslag-intake as real
// processes over TLS. Users log in with passwords, integrated clients with
// their certificates, and the tokens they get work at intake.
#include <gtest/gtest.h>

#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/directory/password.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"

namespace hartslag::directory {
namespace {

constexpr char kPassword[] = "lang-genoeg-wachtwoord";
constexpr char kClientUri[] = "spiffe://hartslag/heerlen/client/politie-bvh";

class DirectoryEndToEndTest : public ::testing::Test {
 protected:
  DirectoryEndToEndTest() {
    DirectoryStore& store = deployment_.directory_store();
    EXPECT_TRUE(store.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (auto [id, kind] : {std::pair{"gemeente-heerlen", common::v1::ORGANISATION_KIND_MUNICIPALITY},
                            std::pair{"politie-limburg", common::v1::ORGANISATION_KIND_POLICE}}) {
      v1::Organisation org;
      org.set_organisation_id(id);
      org.set_name(id);
      org.set_kind(kind);
      EXPECT_TRUE(store.CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
    }
    v1::Area area;
    area.set_area_id("heerlen-noord");
    area.set_name("Heerlen-Noord");
    EXPECT_TRUE(store.CreateArea("heerlen", area, testing::Unaudited()).ok());
    AddUser("sanne.coach", "gemeente-heerlen", {"REPORTER"});
    AddUser("carla.coordinator", "gemeente-heerlen", {"COORDINATOR"});
    AddUser("peter.politie", "politie-limburg", {"REPORTER", "PARTNER"});
    v1::IntegratedClient client;
    client.set_client_id("politie-bvh");
    client.set_organisation_id("politie-limburg");
    client.set_certificate_uri(kClientUri);
    EXPECT_TRUE(store.CreateClient("heerlen", client, testing::Unaudited()).ok());
    auth_ = v1::AuthService::NewStub(deployment_.Channel(deployment_.directory()));
    intake_ = intake::v1::SignalService::NewStub(deployment_.Channel(deployment_.intake()));
  }

  void AddUser(const std::string& id, const std::string& org, std::vector<std::string> roles) {
    v1::User user;
    user.set_user_id(id);
    user.set_organisation_id(org);
    user.set_display_name(id);
    for (auto& r : roles) user.add_roles(r);
    user.add_areas("heerlen-noord");
    EXPECT_TRUE(deployment_.directory_store().CreateUser("heerlen", user, *HashPassword(kPassword), testing::Unaudited()).ok());
  }

  grpc::Status Login(const std::string& user, const std::string& password, v1::TokenResponse* out) {
    v1::LoginRequest request;
    request.set_tenant_id("heerlen");
    request.set_user_id(user);
    request.set_password(password);
    return auth_->Login(deployment_.Call().get(), request, out);
  }

  grpc::Status ClientToken(const std::string& certificate, const std::string& user,
                           v1::TokenResponse* out, bool foreign = false) {
    auto stub = v1::AuthService::NewStub(
        deployment_.Channel(deployment_.directory(), certificate, foreign));
    v1::IssueClientTokenRequest request;
    request.set_user_id(user);
    auto call = deployment_.Call();
    call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->IssueClientToken(call.get(), request, out);
  }

  testing::Deployment deployment_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<intake::v1::SignalService::Stub> intake_;
};

TEST_F(DirectoryEndToEndTest, UsersLogInAndTheirTokensWorkAtIntake) {
  v1::TokenResponse coach, coordinator;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &coach).ok());
  ASSERT_TRUE(Login("carla.coordinator", kPassword, &coordinator).ok());
  EXPECT_FALSE(coach.refresh_token().empty());
  EXPECT_LE(coach.expires_at().seconds(), absl::ToUnixSeconds(absl::Now() + absl::Minutes(15)) + 1);

  intake::v1::SubmitSignalResponse submitted;
  grpc::Status status = intake_->SubmitSignal(deployment_.Call(coach.access_token()).get(),
                                              testing::SampleSignal(), &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(submitted.signal().reporter().user_id(), "sanne.coach");
  EXPECT_EQ(submitted.signal().reporter().organisation_kind(), common::v1::ORGANISATION_KIND_MUNICIPALITY);
  intake::v1::ListSignalsResponse listed;
  ASSERT_TRUE(intake_->ListSignals(deployment_.Call(coordinator.access_token()).get(), {}, &listed).ok());
  ASSERT_EQ(listed.signals_size(), 1);
  EXPECT_EQ(listed.signals(0).reference(), submitted.signal().reference());
}

TEST_F(DirectoryEndToEndTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  v1::TokenResponse ignored;
  grpc::Status wrong = Login("sanne.coach", "niet-het-wachtwoord", &ignored);
  grpc::Status unknown = Login("niemand", "niet-het-wachtwoord", &ignored);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(unknown.error_code(), wrong.error_code());
  EXPECT_EQ(unknown.error_message(), wrong.error_message());
}

TEST_F(DirectoryEndToEndTest, FiveFailuresLockTheAccountEvenForTheRightPassword) {
  v1::TokenResponse ignored;
  grpc::Status wrong;
  for (int i = 0; i < 5; ++i) {
    wrong = Login("sanne.coach", "fout-wachtwoord-" + std::to_string(i), &ignored);
    EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::Status locked = Login("sanne.coach", kPassword, &ignored);
  EXPECT_EQ(locked.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(locked.error_message(), wrong.error_message()) << "the lock does not tell the user exists";
  EXPECT_TRUE(ignored.access_token().empty());
  EXPECT_TRUE(Login("carla.coordinator", kPassword, &ignored).ok()) << "others are not locked";
}

TEST_F(DirectoryEndToEndTest, FailuresBelowTheLimitAreForgottenAfterASuccess) {
  v1::TokenResponse ignored;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 4; ++i) Login("sanne.coach", "fout-wachtwoord", &ignored);
    EXPECT_TRUE(Login("sanne.coach", kPassword, &ignored).ok()) << round;
  }
}

TEST_F(DirectoryEndToEndTest, RefreshTokenWorksOnce) {
  v1::TokenResponse first, second, again;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &first).ok());
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(first.refresh_token());
  ASSERT_TRUE(auth_->RefreshToken(deployment_.Call().get(), refresh, &second).ok());
  EXPECT_NE(second.refresh_token(), first.refresh_token());
  EXPECT_EQ(auth_->RefreshToken(deployment_.Call().get(), refresh, &again).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(DirectoryEndToEndTest, DeactivatedUserGetsNoNewTokensAtOnce) {
  v1::TokenResponse tokens, ignored;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &tokens).ok());
  ASSERT_TRUE(deployment_.directory_store().UpdateUser("heerlen", "sanne.coach", {}, {}, false, testing::Unaudited()).ok());
  EXPECT_EQ(Login("sanne.coach", kPassword, &ignored).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(tokens.refresh_token());
  EXPECT_EQ(auth_->RefreshToken(deployment_.Call().get(), refresh, &ignored).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(DirectoryEndToEndTest, IntegratedClientActsForAUserOfItsOwnOrganisation) {
  v1::TokenResponse token;
  grpc::Status status = ClientToken("politie-bvh", "peter.politie", &token);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(token.refresh_token().empty());
  intake::v1::SubmitSignalResponse submitted;
  status = intake_->SubmitSignal(deployment_.Call(token.access_token()).get(),
                                 testing::SampleSignal(), &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(submitted.signal().reporter().user_id(), "peter.politie");
  EXPECT_EQ(submitted.signal().reporter().organisation_id(), "politie-limburg");
}

TEST_F(DirectoryEndToEndTest, IntegratedClientCannotActForAnotherOrganisation) {
  v1::TokenResponse token;
  EXPECT_EQ(ClientToken("politie-bvh", "sanne.coach", &token).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ClientToken("politie-bvh", "niemand", &token).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DirectoryEndToEndTest, ClientCertificatesMustBeRegisteredActiveAndFromOurCa) {
  v1::TokenResponse token;
  EXPECT_EQ(ClientToken("", "peter.politie", &token).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ClientToken("unregistered", "peter.politie", &token).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status foreign = ClientToken("politie-bvh", "peter.politie", &token, /*foreign=*/true);
  EXPECT_FALSE(foreign.ok()) << "a certificate of another CA fails the TLS handshake";
  EXPECT_TRUE(token.access_token().empty());

  ASSERT_TRUE(deployment_.directory_store().SetClientActive("heerlen", "politie-bvh", false, testing::Unaudited()).ok());
  EXPECT_EQ(ClientToken("politie-bvh", "peter.politie", &token).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(DirectoryEndToEndTest, AdminMayOnlyCreateConsistentUsers) {
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = deployment_.Token(
      testing::ClaimsFor("admin", "gemeente-heerlen", "MUNICIPALITY", {"ADMIN"}, {}));
  auto create = [&](const std::string& id, const std::string& org, const std::string& area,
                    const std::string& password) {
    v1::CreateUserRequest request;
    request.mutable_user()->set_user_id(id);
    request.mutable_user()->set_organisation_id(org);
    request.mutable_user()->set_display_name("Nieuwe collega");
    request.mutable_user()->add_roles("REPORTER");
    request.mutable_user()->add_areas(area);
    request.set_password(password);
    v1::User created;
    return admin->CreateUser(deployment_.Call(token).get(), request, &created);
  };
  EXPECT_TRUE(create("nieuw", "gemeente-heerlen", "heerlen-noord", kPassword).ok());
  grpc::Status duplicate = create("nieuw", "gemeente-heerlen", "heerlen-noord", kPassword);
  EXPECT_EQ(duplicate.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  grpc::Status area = create("nieuw2", "gemeente-heerlen", "atlantis", kPassword);
  EXPECT_EQ(area.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(area.error_message(), "user.areas: atlantis is not a known area");
  grpc::Status org = create("nieuw2", "onbekend", "heerlen-noord", kPassword);
  EXPECT_EQ(org.error_message(), "user.organisation_id: not a known organisation");
  grpc::Status password = create("nieuw2", "gemeente-heerlen", "heerlen-noord", "kort");
  EXPECT_EQ(password.error_message(), "password: must be at least 12 characters");
  v1::ListUsersResponse users;
  ASSERT_TRUE(admin->ListUsers(deployment_.Call(token).get(), {}, &users).ok());
  EXPECT_EQ(users.users_size(), 4) << "three seeded users and the one valid new one";
}

TEST_F(DirectoryEndToEndTest, AreaCreatedInTheDirectoryReachesIntake) {
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = deployment_.Token(
      testing::ClaimsFor("admin", "gemeente-heerlen", "MUNICIPALITY", {"ADMIN"}, {}));
  v1::CreateAreaRequest request;
  request.mutable_area()->set_area_id("welten");
  request.mutable_area()->set_parent_area_id("heerlen-noord");
  request.mutable_area()->set_name("Welten");
  v1::Area created;
  ASSERT_TRUE(admin->CreateArea(deployment_.Call(token).get(), request, &created).ok());

  v1::TokenResponse coach;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &coach).ok());
  grpc::Status status;
  for (int attempt = 0; attempt < 100; ++attempt) {  // the sync runs every 500 ms here
    intake::v1::SubmitSignalResponse submitted;
    status = intake_->SubmitSignal(deployment_.Call(coach.access_token()).get(),
                                   testing::SampleSignal("welten"), &submitted);
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(DirectoryEndToEndTest, AreasMoveButNeverUnderThemselves) {
  DirectoryStore& store = deployment_.directory_store();
  v1::Area wijk;
  wijk.set_area_id("vrieheide");
  wijk.set_parent_area_id("heerlen-noord");
  wijk.set_name("Vrieheide");
  ASSERT_TRUE(store.CreateArea("heerlen", wijk, testing::Unaudited()).ok());
  auto cycle = store.UpdateArea("heerlen", "heerlen-noord", "", "vrieheide", testing::Unaudited());
  EXPECT_EQ(cycle.status().code(), absl::StatusCode::kInvalidArgument);
  auto self = store.UpdateArea("heerlen", "vrieheide", "", "vrieheide", testing::Unaudited());
  EXPECT_EQ(self.status().code(), absl::StatusCode::kInvalidArgument);
  auto renamed = store.UpdateArea("heerlen", "vrieheide", "Vrieheide-Oost", "", testing::Unaudited());
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_EQ(renamed->name(), "Vrieheide-Oost");
  EXPECT_EQ(renamed->parent_area_id(), "heerlen-noord");
}

TEST_F(DirectoryEndToEndTest, LookupsAreForServicesNotForPartnerSystems) {
  auto as_police = v1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "politie-bvh"));
  v1::ListTenantsResponse tenants;
  EXPECT_EQ(as_police->ListTenants(deployment_.Call().get(), {}, &tenants).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto as_intake = v1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "intake"));
  ASSERT_TRUE(as_intake->ListTenants(deployment_.Call().get(), {}, &tenants).ok());
  ASSERT_EQ(tenants.tenants_size(), 1);
  EXPECT_EQ(tenants.tenants(0).tenant_id(), "heerlen");
}

TEST_F(DirectoryEndToEndTest, PlaintextIsRefused) {
  auto plain = v1::AuthService::NewStub(
      grpc::CreateChannel(deployment_.directory().address(), grpc::InsecureChannelCredentials()));
  v1::TokenResponse token;
  v1::LoginRequest request;
  auto call = deployment_.Call();
  call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  EXPECT_FALSE(plain->Login(call.get(), request, &token).ok());
}

}  // namespace
}  // namespace hartslag::directory
