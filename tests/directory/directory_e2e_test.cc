// Identity end to end: hartslag-directory and hartslag-intake as real
// processes over TLS. Users log in with passwords, integrated clients with
// their certificates, and the tokens they get work at intake.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_format.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/proto_bytes.h"
#include "services/common/text.h"
#include "services/directory/password.h"
#include "tests/support/cli_run.h"
#include "services/cases/case_rules.h"
#include "services/common/working_days.h"
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

  std::string AdminToken() {
    return deployment_.Token(testing::ClaimsFor("admin", "gemeente-heerlen", "MUNICIPALITY", {"ADMIN"}, {}));
  }

  void AddArea(const std::string& id, const std::string& parent) {
    v1::Area area;
    area.set_area_id(id);
    area.set_parent_area_id(parent);
    area.set_name(id);
    EXPECT_TRUE(deployment_.directory_store().CreateArea("heerlen", area, testing::Unaudited()).ok()) << id;
  }

  // Every page of a list, following next_page_token from `request`.
  template <typename Request, typename Response>
  std::vector<Response> Pages(Request request, const std::function<grpc::Status(const Request&, Response*)>& list) {
    std::vector<Response> pages;
    for (int i = 0; i < 1000; ++i) {
      Response page;
      grpc::Status status = list(request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      pages.push_back(page);
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return pages;
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

TEST_F(DirectoryEndToEndTest, EveryTokenNamesItsUserAndOrganisationForTheScreen) {
  DirectoryStore& store = deployment_.directory_store();
  ASSERT_TRUE(store.RenameOrganisation("heerlen", "politie-limburg", "Politie Limburg", testing::Unaudited()).ok());
  v1::User user;
  user.set_user_id("wendy.wijkagent");
  user.set_organisation_id("politie-limburg");
  user.set_display_name("Wendy de Wit");
  user.add_roles("REPORTER");
  ASSERT_TRUE(store.CreateUser("heerlen", user, *HashPassword(kPassword), testing::Unaudited()).ok());
  v1::TokenResponse login, refreshed, client;
  ASSERT_TRUE(Login("wendy.wijkagent", kPassword, &login).ok());
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(login.refresh_token());
  ASSERT_TRUE(auth_->RefreshToken(deployment_.Call().get(), refresh, &refreshed).ok());
  ASSERT_TRUE(ClientToken("politie-bvh", "wendy.wijkagent", &client).ok());
  for (const v1::TokenResponse* tokens : {&login, &refreshed, &client}) {
    EXPECT_EQ(tokens->display_name(), "Wendy de Wit");
    EXPECT_EQ(tokens->organisation_name(), "Politie Limburg");
  }
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
  std::string token = AdminToken();
  auto create = [&](const std::string& id, const std::string& org, const std::string& area,
                    const std::string& password) {
    v1::CreateUserRequest request;
    request.set_request_id(RandomUuid());
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
  std::string token = AdminToken();
  v1::CreateAreaRequest request;
  request.set_request_id(RandomUuid());
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

TEST_F(DirectoryEndToEndTest, TenantSettingsAreCheckedStoredAndUsedByIntake) {
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  const std::string token = AdminToken();
  v1::Tenant tenant;
  ASSERT_TRUE(admin->GetTenant(deployment_.Call(token).get(), {}, &tenant).ok());
  EXPECT_EQ(tenant.settings().time_zone(), "Europe/Amsterdam") << "defaults filled in";
  EXPECT_EQ(tenant.settings().signal_reference_prefix(), "SV");
  EXPECT_EQ(tenant.settings().triage_cut_off_time(), "12:00");

  // Every bad field named at once; nothing changes.
  v1::UpdateTenantSettingsRequest bad;
  bad.mutable_settings()->set_time_zone("Europe/Atlantis");
  bad.mutable_settings()->set_signal_reference_prefix("sv1");
  bad.mutable_settings()->add_closing_days("2026-13-01");
  for (const char* path : {"time_zone", "signal_reference_prefix", "closing_days"}) {
    bad.mutable_update_mask()->add_paths(path);
  }
  grpc::Status refused = admin->UpdateTenantSettings(deployment_.Call(token).get(), bad, &tenant);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"settings.time_zone", "settings.signal_reference_prefix", "settings.closing_days[0]"}) {
    EXPECT_NE(refused.error_message().find(field), std::string::npos) << refused.error_message();
  }
  v1::UpdateTenantSettingsRequest unknown;
  unknown.mutable_update_mask()->add_paths("tenant_id");
  EXPECT_EQ(admin->UpdateTenantSettings(deployment_.Call(token).get(), unknown, &tenant).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // A municipality in the Caribbean Netherlands, with its own prefix and a
  // Friday afternoon cut-off.
  v1::UpdateTenantSettingsRequest good;
  good.mutable_settings()->set_time_zone("America/Kralendijk");
  good.mutable_settings()->set_signal_reference_prefix("BON");
  good.mutable_settings()->set_triage_cut_off_weekday(5);
  good.mutable_settings()->set_triage_cut_off_time("16:30");
  for (const char* path : {"time_zone", "signal_reference_prefix", "triage_cut_off_weekday", "triage_cut_off_time"}) {
    good.mutable_update_mask()->add_paths(path);
  }
  ASSERT_TRUE(admin->UpdateTenantSettings(deployment_.Call(token).get(), good, &tenant).ok());
  EXPECT_EQ(tenant.settings().time_zone(), "America/Kralendijk");
  EXPECT_EQ(tenant.settings().case_reference_prefix(), "CS") << "what the mask does not name stays";
  ASSERT_TRUE(admin->GetTenant(deployment_.Call(token).get(), {}, &tenant).ok());
  EXPECT_EQ(tenant.settings().signal_reference_prefix(), "BON");

  // Intake takes them over (its sync runs every 500 ms here): the reference
  // and the deadline follow the tenant.
  v1::TokenResponse coach;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &coach).ok());
  intake::v1::SubmitSignalResponse submitted;
  for (int attempt = 0; attempt < 100; ++attempt) {
    ASSERT_TRUE(intake_->SubmitSignal(deployment_.Call(coach.access_token()).get(),
                                      testing::SampleSignal("vrieheide", "verward-gedrag"), &submitted)
                    .ok());
    if (submitted.signal().reference().rfind("BON-", 0) == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(submitted.signal().reference().rfind("BON-", 0), 0u) << submitted.signal().reference();
  absl::TimeZone kralendijk;
  ASSERT_TRUE(absl::LoadTimeZone("America/Kralendijk", &kralendijk));
  const absl::Time reported = absl::FromUnixSeconds(submitted.signal().reported_at().seconds()) +
                              absl::Nanoseconds(submitted.signal().reported_at().nanos());
  EXPECT_EQ(absl::FromUnixSeconds(submitted.signal().due_at().seconds()) +
                absl::Nanoseconds(submitted.signal().due_at().nanos()),
            DeadlineAfter(reported, 3, DayCount::kWorking, WorkingDays(), kralendijk));

  // The cases service takes the cut-off over: the coordinator's queue says
  // Friday 16:30 in Bonaire.
  v1::TokenResponse coordinator;
  ASSERT_TRUE(Login("carla.coordinator", kPassword, &coordinator).ok());
  auto triage = cases::v1::TriageService::NewStub(deployment_.Channel(deployment_.cases()));
  cases::v1::TriageQueue queue;
  absl::Time expected;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto call = deployment_.Call(coordinator.access_token());
    call->AddMetadata("x-hartslag-purpose", "TRIAGE");
    ASSERT_TRUE(triage->GetTriageQueue(call.get(), {}, &queue).ok());
    expected = cases::WeeklyCutOff(absl::Now(), kralendijk, {5, 16, 30});
    if (absl::FromUnixSeconds(queue.cut_off().seconds()) == expected) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(absl::FromUnixSeconds(queue.cut_off().seconds()), expected);
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

TEST_F(DirectoryEndToEndTest, UsersComeInPagesHoldingEveryUserOnceByIdInOrder) {
  for (const char* id : {"jan", "anna", "zoe", "bob", "kees", "mila", "ruud", "dirk", "eva"}) {
    AddUser(id, "gemeente-heerlen", {"REPORTER"});
  }
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = AdminToken();
  v1::ListUsersRequest request;
  request.set_page_size(5);
  auto pages = Pages<v1::ListUsersRequest, v1::ListUsersResponse>(
      request, [&](const v1::ListUsersRequest& r, v1::ListUsersResponse* page) {
        return admin->ListUsers(deployment_.Call(token).get(), r, page);
      });
  ASSERT_EQ(pages.size(), 3u) << "12 users, 5 a page";
  EXPECT_EQ(pages[0].users_size(), 5);
  EXPECT_EQ(pages[1].users_size(), 5);
  EXPECT_EQ(pages[2].users_size(), 2);
  EXPECT_TRUE(pages[2].next_page_token().empty());
  std::vector<std::string> listed;
  for (const auto& page : pages) {
    for (const auto& u : page.users()) listed.push_back(u.user_id());
  }
  std::vector<std::string> expected = {"anna", "bob", "carla.coordinator", "dirk", "eva", "jan",
                                       "kees", "mila", "peter.politie", "ruud", "sanne.coach", "zoe"};
  EXPECT_EQ(listed, expected);

  request.set_organisation_id("politie-limburg");
  request.set_page_size(0);
  auto police = Pages<v1::ListUsersRequest, v1::ListUsersResponse>(
      request, [&](const v1::ListUsersRequest& r, v1::ListUsersResponse* page) {
        return admin->ListUsers(deployment_.Call(token).get(), r, page);
      });
  ASSERT_EQ(police.size(), 1u);
  ASSERT_EQ(police[0].users_size(), 1);
  EXPECT_EQ(police[0].users(0).user_id(), "peter.politie");
}

TEST_F(DirectoryEndToEndTest, APageTokenOnlyContinuesTheListItCameFrom) {
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = AdminToken();
  v1::ListUsersRequest request;
  request.set_page_size(1);
  v1::ListUsersResponse first, other;
  ASSERT_TRUE(admin->ListUsers(deployment_.Call(token).get(), request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  request.set_organisation_id("politie-limburg");
  grpc::Status replayed = admin->ListUsers(deployment_.Call(token).get(), request, &other);
  EXPECT_EQ(replayed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(replayed.error_message().rfind("page_token: ", 0), 0u) << replayed.error_message();

  auto lookup = v1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "intake"));
  v1::ListTenantAreasRequest areas;
  areas.set_tenant_id("heerlen");
  areas.set_page_token(first.next_page_token());
  v1::ListAreasResponse ignored;
  grpc::Status foreign = lookup->ListTenantAreas(deployment_.Call().get(), areas, &ignored);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "a token of another list";
  EXPECT_EQ(foreign.error_message().rfind("page_token: ", 0), 0u) << foreign.error_message();

  v1::ListAreasRequest negative;
  negative.set_page_size(-1);
  grpc::Status size = admin->ListAreas(deployment_.Call(token).get(), negative, &ignored);
  EXPECT_EQ(size.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(size.error_message().rfind("page_size: ", 0), 0u) << size.error_message();
}

// Ids that sort before their parents' show that the order is by depth first.
TEST_F(DirectoryEndToEndTest, AreasComeInPagesParentsBeforeChildren) {
  AddArea("z-zuid", "");
  for (const char* wijk : {"a-molenberg", "b-meezenbroek", "c-schandelen"}) AddArea(wijk, "z-zuid");
  AddArea("a-welten", "heerlen-noord");
  AddArea("a-straat", "a-molenberg");
  const std::vector<std::string> expected = {"heerlen-noord", "z-zuid",       "a-molenberg", "a-welten",
                                             "b-meezenbroek", "c-schandelen", "a-straat"};
  auto check = [&](const std::vector<v1::ListAreasResponse>& pages) {
    ASSERT_EQ(pages.size(), 4u) << "7 areas, 2 a page";
    std::vector<std::string> listed;
    std::set<std::string> seen;
    for (const auto& page : pages) {
      for (const auto& a : page.areas()) {
        EXPECT_TRUE(a.parent_area_id().empty() || seen.contains(a.parent_area_id())) << a.area_id();
        seen.insert(a.area_id());
        listed.push_back(a.area_id());
      }
    }
    EXPECT_EQ(listed, expected);
  };

  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = AdminToken();
  v1::ListAreasRequest request;
  request.set_page_size(2);
  check(Pages<v1::ListAreasRequest, v1::ListAreasResponse>(
      request, [&](const v1::ListAreasRequest& r, v1::ListAreasResponse* page) {
        return admin->ListAreas(deployment_.Call(token).get(), r, page);
      }));

  auto lookup = v1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "intake"));
  v1::ListTenantAreasRequest tenant_areas;
  tenant_areas.set_tenant_id("heerlen");
  tenant_areas.set_page_size(2);
  check(Pages<v1::ListTenantAreasRequest, v1::ListAreasResponse>(
      tenant_areas, [&](const v1::ListTenantAreasRequest& r, v1::ListAreasResponse* page) {
        return lookup->ListTenantAreas(deployment_.Call().get(), r, page);
      }));
}

// More areas than the directory puts on one page (100 by default) all reach
// intake's copy, wijken after their parents.
TEST_F(DirectoryEndToEndTest, AnAreaTreeOfManyPagesReachesIntake) {
  AddArea("z-zuid", "");
  std::vector<std::string> created = {"z-zuid"};
  for (int i = 0; i < 150; ++i) {
    created.push_back(absl::StrFormat("a-wijk-%03d", i));
    AddArea(created.back(), i % 2 ? "z-zuid" : "heerlen-noord");
  }
  AddArea("a-straat", "a-wijk-149");
  created.push_back("a-straat");
  std::vector<std::string> missing;
  for (absl::Time give_up = absl::Now() + absl::Seconds(30); absl::Now() < give_up;) {  // syncs every 500 ms
    auto copied = deployment_.intake_store().AreasWithin("heerlen", {"heerlen-noord", "z-zuid"},
                                                         absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(copied.ok()) << copied.status();
    missing.clear();
    for (const std::string& id : created) {
      if (!copied->contains(id)) missing.push_back(id);
    }
    if (missing.empty()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " areas missing in intake, the first " << missing[0];
}

// The command line reads a list to its end: the organisations after the
// directory's first page (100) are printed too.
TEST_F(DirectoryEndToEndTest, AdminOrgListPrintsEveryPage) {
  for (int i = 0; i < 100; ++i) {
    v1::Organisation org;
    org.set_organisation_id(absl::StrFormat("a-organisatie-%03d", i));
    org.set_name(org.organisation_id());
    org.set_kind(common::v1::ORGANISATION_KIND_CARE);
    ASSERT_TRUE(deployment_.directory_store().CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
  }
  testing::CliRun run = testing::Cli(absl::StrCat("admin org list --server ", deployment_.directory().address(),
                                                  " --ca ", testing::CertsDir(), "/ca.pem --token ", AdminToken()));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("a-organisatie-000"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("politie-limburg"), std::string::npos) << "on the second page: " << run.output;
}

// An update changes what its update_mask names and nothing else: a
// roles-only update once deactivated the user (gRPC), and the CLI's
// --active default reactivated one.
TEST_F(DirectoryEndToEndTest, AnUpdateChangesExactlyTheFieldsItsMaskNames) {
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = AdminToken();
  auto user = [&](const std::string& id) {
    auto account = deployment_.directory_store().FindAccount("heerlen", id);
    EXPECT_TRUE(account.ok() && account->has_value());
    return account.ok() && account->has_value() ? (*account)->user : v1::User();
  };
  auto update = [&](v1::UpdateUserRequest request) {
    v1::User updated;
    return admin->UpdateUser(deployment_.Call(token).get(), request, &updated);
  };
  ASSERT_TRUE(deployment_.directory_store()
                  .UpdateUser("heerlen", "sanne.coach", {}, {}, false, testing::Unaudited())
                  .ok());
  v1::UpdateUserRequest roles_only;
  roles_only.set_user_id("sanne.coach");
  roles_only.add_roles("REPORTER");
  roles_only.add_roles("PARTNER");
  roles_only.mutable_update_mask()->add_paths("roles");
  ASSERT_TRUE(update(roles_only).ok());
  EXPECT_FALSE(user("sanne.coach").active()) << "a deactivated user stays deactivated";
  EXPECT_EQ(user("sanne.coach").roles_size(), 2);
  roles_only.set_user_id("carla.coordinator");
  v1::User before = user("carla.coordinator");
  ASSERT_GT(before.areas_size(), 0);
  ASSERT_TRUE(update(roles_only).ok());
  v1::User after = user("carla.coordinator");
  EXPECT_TRUE(after.active()) << "an active one stays active";
  EXPECT_EQ(std::vector<std::string>(after.areas().begin(), after.areas().end()),
            std::vector<std::string>(before.areas().begin(), before.areas().end()))
      << "and keeps its areas";

  v1::UpdateUserRequest no_areas;
  no_areas.set_user_id("carla.coordinator");
  no_areas.mutable_update_mask()->add_paths("areas");
  ASSERT_TRUE(update(no_areas).ok());
  EXPECT_EQ(user("carla.coordinator").areas_size(), 0) << "a list can be set to none";

  v1::UpdateUserRequest unmasked;
  unmasked.set_user_id("carla.coordinator");
  unmasked.set_active(false);
  grpc::Status refused = update(unmasked);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message().rfind("update_mask:", 0), 0u) << refused.error_message();
  unmasked.mutable_update_mask()->add_paths("active");
  unmasked.mutable_update_mask()->add_paths("display_name");
  refused = update(unmasked);
  EXPECT_EQ(refused.error_message().rfind("update_mask.paths[1]:", 0), 0u) << refused.error_message();
  EXPECT_TRUE(user("carla.coordinator").active()) << "a refused update changes nothing";

  // The CLI sends only the flags given.
  std::string cli = absl::StrCat("admin user update --server ", deployment_.directory().address(), " --ca ",
                                 testing::CertsDir(), "/ca.pem --token ", token, " --id sanne.coach");
  testing::CliRun run = testing::Cli(cli + " --roles REPORTER");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(user("sanne.coach").active()) << "no --active, no change: " << run.output;
  EXPECT_EQ(user("sanne.coach").roles_size(), 1);
  run = testing::Cli(cli + " --active true");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(user("sanne.coach").active());
  EXPECT_EQ(user("sanne.coach").roles_size(), 1) << "no --roles, no change";
}

// One Create RPC as the exactly-once tests drive it.
struct CreateCall {
  std::string rpc;
  // Sends the create with `request_id`; `other_content` changes a field of
  // what is created (not its id). Fills `answer` with the answer's bytes.
  std::function<grpc::Status(const std::string& request_id, bool other_content, std::string* answer)> send;
  // How many objects of the create's id the directory holds.
  std::function<int()> count;
};

class DirectoryExactlyOnceTest : public DirectoryEndToEndTest {
 protected:
  DirectoryExactlyOnceTest() : admin_(v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()))) {}

  template <typename Request, typename Response, typename Rpc>
  grpc::Status Send(Rpc rpc, const Request& request, std::string* answer) {
    Response response;
    grpc::Status status = ((*admin_).*rpc)(deployment_.Call(token_).get(), request, &response);
    *answer = DeterministicBytes(response);
    return status;
  }

  std::vector<CreateCall> Creates() {
    using S = v1::DirectoryService::Stub;
    DirectoryStore& store = deployment_.directory_store();
    return {
        {"CreateArea",
         [this](const std::string& id, bool other, std::string* answer) {
           v1::CreateAreaRequest request;
           request.set_request_id(id);
           request.mutable_area()->set_area_id("eikenderveld");
           request.mutable_area()->set_parent_area_id("heerlen-noord");
           request.mutable_area()->set_name(other ? "Eikenderveld-Oost" : "Eikenderveld");
           return Send<v1::CreateAreaRequest, v1::Area>(&S::CreateArea, request, answer);
         },
         [&store] {
           auto areas = store.ListAreas("heerlen", std::nullopt, 1000);
           return static_cast<int>(std::count_if(areas->begin(), areas->end(),
                                                 [](const TreeArea& a) { return a.area.area_id() == "eikenderveld"; }));
         }},
        {"CreateOrganisation",
         [this](const std::string& id, bool other, std::string* answer) {
           v1::CreateOrganisationRequest request;
           request.set_request_id(id);
           request.mutable_organisation()->set_organisation_id("woonpunt");
           request.mutable_organisation()->set_name("Woonpunt");
           request.mutable_organisation()->set_kind(other ? common::v1::ORGANISATION_KIND_OTHER
                                                          : common::v1::ORGANISATION_KIND_HOUSING);
           return Send<v1::CreateOrganisationRequest, v1::Organisation>(&S::CreateOrganisation, request, answer);
         },
         [&store] {
           auto organisations = store.ListOrganisations("heerlen", std::nullopt, 1000);
           return static_cast<int>(std::count_if(organisations->begin(), organisations->end(),
                                                 [](const v1::Organisation& o) { return o.organisation_id() == "woonpunt"; }));
         }},
        {"CreateUser",
         [this](const std::string& id, bool other, std::string* answer) {
           v1::CreateUserRequest request;
           request.set_request_id(id);
           request.mutable_user()->set_user_id("nina.nieuw");
           request.mutable_user()->set_organisation_id("gemeente-heerlen");
           request.mutable_user()->set_display_name("Nina");
           request.mutable_user()->add_roles(other ? "COORDINATOR" : "REPORTER");
           request.set_password(kPassword);
           return Send<v1::CreateUserRequest, v1::User>(&S::CreateUser, request, answer);
         },
         [&store] {
           auto users = store.ListUsers("heerlen", "", std::nullopt, 1000);
           return static_cast<int>(std::count_if(users->begin(), users->end(),
                                                 [](const v1::User& u) { return u.user_id() == "nina.nieuw"; }));
         }},
        {"CreateIntegratedClient",
         [this](const std::string& id, bool other, std::string* answer) {
           v1::CreateIntegratedClientRequest request;
           request.set_request_id(id);
           request.mutable_client()->set_client_id("politie-crm");
           request.mutable_client()->set_organisation_id(other ? "gemeente-heerlen" : "politie-limburg");
           request.mutable_client()->set_certificate_uri("spiffe://hartslag/heerlen/client/politie-crm");
           return Send<v1::CreateIntegratedClientRequest, v1::IntegratedClient>(&S::CreateIntegratedClient,
                                                                               request, answer);
         },
         [&store] {
           auto found = store.FindClientByCertificate("spiffe://hartslag/heerlen/client/politie-crm");
           return found.ok() && found->has_value() ? 1 : 0;
         }},
    };
  }

  std::unique_ptr<v1::DirectoryService::Stub> admin_;
  std::string token_ = AdminToken();
};

TEST_F(DirectoryExactlyOnceTest, ARetryGetsTheFirstAnswerAndMakesNothingMore) {
  for (const CreateCall& create : Creates()) {
    const std::string id = RandomUuid();
    std::string first, retried;
    grpc::Status status = create.send(id, false, &first);
    ASSERT_TRUE(status.ok()) << create.rpc << ": " << status.error_message();
    status = create.send(id, false, &retried);
    ASSERT_TRUE(status.ok()) << create.rpc << ": " << status.error_message();
    EXPECT_EQ(retried, first) << create.rpc;
    EXPECT_EQ(create.count(), 1) << create.rpc;
    std::string again;
    EXPECT_EQ(create.send(RandomUuid(), false, &again).error_code(), grpc::StatusCode::ALREADY_EXISTS)
        << create.rpc << ": a new request id is a new create, of an object that exists";
  }
}

TEST_F(DirectoryExactlyOnceTest, TheSameRequestIdWithOtherContentIsAlreadyExists) {
  for (const CreateCall& create : Creates()) {
    const std::string id = RandomUuid();
    std::string first, other;
    ASSERT_TRUE(create.send(id, false, &first).ok()) << create.rpc;
    grpc::Status reused = create.send(id, true, &other);
    EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS) << create.rpc;
    EXPECT_EQ(reused.error_message().rfind("request_id: ", 0), 0u) << create.rpc << ": " << reused.error_message();
    EXPECT_EQ(create.count(), 1) << create.rpc;
  }
}

TEST_F(DirectoryExactlyOnceTest, ConcurrentRetriesMakeOneObjectAndAllGetItsAnswer) {
  constexpr int kThreads = 8;
  for (const CreateCall& create : Creates()) {
    const std::string id = RandomUuid();
    std::vector<std::string> answers(kThreads);
    std::vector<grpc::Status> statuses(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] { statuses[i] = create.send(id, false, &answers[i]); });
    }
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_TRUE(statuses[i].ok()) << create.rpc << " #" << i << ": " << statuses[i].error_message();
      EXPECT_EQ(answers[i], answers[0]) << create.rpc << " #" << i;
    }
    EXPECT_EQ(create.count(), 1) << create.rpc;
  }
}

TEST_F(DirectoryExactlyOnceTest, ARequestIdIsRequiredAndAUuid) {
  for (const CreateCall& create : Creates()) {
    for (const char* id : {"", "niet-een-uuid", "123e4567-e89b-12d3-a456-42661417400"}) {
      std::string answer;
      grpc::Status refused = create.send(id, false, &answer);
      EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << create.rpc << " '" << id << "'";
      EXPECT_EQ(refused.error_message().rfind("request_id: ", 0), 0u) << create.rpc << ": " << refused.error_message();
    }
    EXPECT_EQ(create.count(), 0) << create.rpc;
  }
}

// The password is not compared (it is kept only as its scrypt hash): a retry
// with another one gets the user the first call made, with the first
// password.
TEST_F(DirectoryExactlyOnceTest, ARetriedCreateUserKeepsTheFirstPassword) {
  v1::CreateUserRequest request;
  request.set_request_id(RandomUuid());
  request.mutable_user()->set_user_id("nina.nieuw");
  request.mutable_user()->set_organisation_id("gemeente-heerlen");
  request.mutable_user()->set_display_name("Nina");
  request.mutable_user()->add_roles("REPORTER");
  request.set_password(kPassword);
  v1::User first, retried;
  ASSERT_TRUE(admin_->CreateUser(deployment_.Call(token_).get(), request, &first).ok());
  request.set_password("een-heel-ander-wachtwoord");
  ASSERT_TRUE(admin_->CreateUser(deployment_.Call(token_).get(), request, &retried).ok());
  EXPECT_EQ(DeterministicBytes(retried), DeterministicBytes(first));
  v1::TokenResponse tokens;
  EXPECT_TRUE(Login("nina.nieuw", kPassword, &tokens).ok());
  EXPECT_EQ(Login("nina.nieuw", "een-heel-ander-wachtwoord", &tokens).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto stored = deployment_.pool().Query("SELECT count(*) AS n FROM directory.requests WHERE rpc = 'CreateUser'"
                                         " AND position($1::bytea IN response) > 0",
                                         {db::BytesParam(kPassword)});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->Int(0, "n"), 0) << "the answer kept for retries holds no password";
}

// The CLI tells the request id before it sends, so that a create whose
// answer was lost can be sent again with it.
TEST_F(DirectoryExactlyOnceTest, TheCliPrintsItsRequestIdFirstAndRetriesWithIt) {
  std::string cli = absl::StrCat("admin area create --server ", deployment_.directory().address(), " --ca ",
                                 testing::CertsDir(), "/ca.pem --token ", token_,
                                 " --id eikenderveld --name Eikenderveld --parent heerlen-noord");
  testing::CliRun first = testing::Cli(cli);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  size_t said = first.output.find("verzoek-id ");
  ASSERT_NE(said, std::string::npos) << first.output;
  EXPECT_LT(said, first.output.find("aangemaakt")) << first.output;
  std::string id = first.output.substr(said + 11, 36);
  EXPECT_TRUE(IsUuid(id)) << first.output;
  testing::CliRun retried = testing::Cli(absl::StrCat(cli, " --request-id ", id));
  EXPECT_EQ(retried.exit_code, 0) << "a retry gets the first answer: " << retried.output;
  testing::CliRun fresh = testing::Cli(cli);
  EXPECT_EQ(fresh.exit_code, 1) << "a new request id is a new create: " << fresh.output;
  EXPECT_NE(fresh.output.find("ALREADY_EXISTS"), std::string::npos) << fresh.output;
}

TEST_F(DirectoryEndToEndTest, AnAdminsNewPasswordIsHashedEndsTheOldSessionsAndLiftsALockOut) {
  constexpr char kNewPassword[] = "een-nieuw-wachtwoord";
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = AdminToken();
  v1::TokenResponse session, ignored;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &session).ok());
  for (int i = 0; i < 5; ++i) Login("sanne.coach", "fout-wachtwoord", &ignored);
  ASSERT_EQ(Login("sanne.coach", kPassword, &ignored).error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "locked out";
  auto before = deployment_.directory_store().FindAccount("heerlen", "sanne.coach");
  ASSERT_TRUE(before.ok() && before->has_value());

  v1::UpdateUserRequest reset;
  reset.set_user_id("sanne.coach");
  reset.set_password("te-kort");
  reset.mutable_update_mask()->add_paths("password");
  v1::User updated;
  grpc::Status refused = admin->UpdateUser(deployment_.Call(token).get(), reset, &updated);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message().rfind("password:", 0), 0u) << refused.error_message();

  reset.set_password(kNewPassword);
  grpc::Status status = admin->UpdateUser(deployment_.Call(token).get(), reset, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto after = deployment_.directory_store().FindAccount("heerlen", "sanne.coach");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->password_hash.rfind("scrypt$", 0), 0u) << "kept only as its scrypt hash";
  EXPECT_EQ((*after)->password_hash.find(kNewPassword), std::string::npos);
  EXPECT_EQ((*after)->user.SerializeAsString(), (*before)->user.SerializeAsString())
      << "roles, areas, organisation, name and active flag stay as they were";

  EXPECT_TRUE(Login("sanne.coach", kNewPassword, &ignored).ok()) << "the lock-out is lifted";
  EXPECT_EQ(Login("sanne.coach", kPassword, &ignored).error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "the old password no longer works";
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(session.refresh_token());
  EXPECT_EQ(auth_->RefreshToken(deployment_.Call().get(), refresh, &ignored).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "a session from before the reset ends";
  v1::TokenResponse other;
  EXPECT_TRUE(Login("carla.coordinator", kPassword, &other).ok()) << "other users keep their password";
}

// A refresh consumes the old token and stores the new one in two steps; a
// reset committed in between must leave no usable token behind. Played step
// by step on the store: the refresh (or login) has read its session's epoch,
// the admin resets the password, then the new token is stored.
TEST_F(DirectoryEndToEndTest, ARefreshOrLoginOvertakenByAResetLeavesNoUsableToken) {
  DirectoryStore& store = deployment_.directory_store();
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  v1::TokenResponse session, ignored;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &session).ok());
  auto consumed = store.ConsumeRefreshToken(HexEncode(Sha256(session.refresh_token())));
  ASSERT_TRUE(consumed.ok() && consumed->has_value()) << "the refresh has taken the old token";
  auto read_at_login = store.FindAccount("heerlen", "sanne.coach");
  ASSERT_TRUE(read_at_login.ok() && read_at_login->has_value()) << "a login has checked the old password";

  v1::UpdateUserRequest reset;
  reset.set_user_id("sanne.coach");
  reset.set_password("een-nieuw-wachtwoord");
  reset.mutable_update_mask()->add_paths("password");
  v1::User updated;
  grpc::Status status = admin->UpdateUser(deployment_.Call(AdminToken()).get(), reset, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();

  for (auto [what, epoch] : {std::pair{"refresh", (*consumed)->session_epoch},
                             std::pair{"login", (*read_at_login)->session_epoch}}) {
    std::string raw = absl::StrCat("na-de-reset-", what);
    auto stored = store.StoreRefreshToken(HexEncode(Sha256(raw)), "heerlen", "sanne.coach", epoch,
                                          absl::Now() + absl::Hours(1));
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_FALSE(*stored) << what << ": a token of a session from before the reset is not stored";
    v1::RefreshTokenRequest refresh;
    refresh.set_refresh_token(raw);
    EXPECT_EQ(auth_->RefreshToken(deployment_.Call().get(), refresh, &ignored).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << what;
  }
  v1::RefreshTokenRequest old_token;
  old_token.set_refresh_token(session.refresh_token());
  EXPECT_EQ(auth_->RefreshToken(deployment_.Call().get(), old_token, &ignored).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::TokenResponse fresh, refreshed;
  ASSERT_TRUE(Login("sanne.coach", "een-nieuw-wachtwoord", &fresh).ok());
  v1::RefreshTokenRequest fresh_token;
  fresh_token.set_refresh_token(fresh.refresh_token());
  EXPECT_TRUE(auth_->RefreshToken(deployment_.Call().get(), fresh_token, &refreshed).ok())
      << "a session begun after the reset refreshes as usual";
}

// A refresh token taken before a reset, or before a deactivation, is refused
// when it is used after it; the admin is told when the access tokens handed
// out before run out (the directory's access token lifetime from now).
TEST_F(DirectoryEndToEndTest, AResetOrDeactivationRefusesEveryRefreshTokenTakenBeforeIt) {
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  for (const char* path : {"password", "active"}) {
    v1::TokenResponse session, ignored;
    ASSERT_TRUE(Login("carla.coordinator", kPassword, &session).ok()) << path;
    v1::UpdateUserRequest update;
    update.set_user_id("carla.coordinator");
    update.set_password(kPassword);  // the same password again: still a reset
    update.set_active(false);
    update.mutable_update_mask()->add_paths(path);
    v1::User updated;
    absl::Time before = absl::Now();
    grpc::Status status = admin->UpdateUser(deployment_.Call(AdminToken()).get(), update, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(updated.has_sessions_end_by()) << path;
    absl::Duration left = absl::FromUnixSeconds(updated.sessions_end_by().seconds()) - before;
    EXPECT_GE(left, absl::Minutes(15) - absl::Seconds(1)) << path;
    EXPECT_LT(left, absl::Minutes(16)) << path;
    v1::RefreshTokenRequest refresh;
    refresh.set_refresh_token(session.refresh_token());
    EXPECT_EQ(auth_->RefreshToken(deployment_.Call().get(), refresh, &ignored).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << path;
    ASSERT_TRUE(
        deployment_.directory_store().UpdateUser("heerlen", "carla.coordinator", {}, {}, true, testing::Unaudited()).ok());
  }
  v1::UpdateUserRequest roles;
  roles.set_user_id("carla.coordinator");
  roles.add_roles("COORDINATOR");
  roles.mutable_update_mask()->add_paths("roles");
  v1::User updated;
  ASSERT_TRUE(admin->UpdateUser(deployment_.Call(AdminToken()).get(), roles, &updated).ok());
  EXPECT_FALSE(updated.has_sessions_end_by()) << "a change of roles ends no session";
}

// The command line gives a new password too (from a file, never from the
// command line), and says by when the user's running sessions have ended.
TEST_F(DirectoryEndToEndTest, TheCliGivesANewPasswordFromAFile) {
  constexpr char kNewPassword[] = "wachtwoord-van-de-cli";
  v1::TokenResponse session, ignored;
  ASSERT_TRUE(Login("sanne.coach", kPassword, &session).ok());
  std::string file = ::testing::TempDir() + "/nieuw-wachtwoord";
  {
    std::ofstream out(file);
    out << kNewPassword << "\n";
  }
  testing::CliRun run = testing::Cli(absl::StrCat("admin user update --server ", deployment_.directory().address(),
                                                  " --ca ", testing::CertsDir(), "/ca.pem --token ", AdminToken(),
                                                  " --id sanne.coach --password-file ", file));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("uiterlijk"), std::string::npos) << "says by when the sessions end: " << run.output;
  EXPECT_EQ(run.output.find(kNewPassword), std::string::npos) << run.output;
  EXPECT_TRUE(Login("sanne.coach", kNewPassword, &ignored).ok()) << "the file's password, without its newline";
  EXPECT_EQ(Login("sanne.coach", kPassword, &ignored).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(session.refresh_token());
  EXPECT_EQ(auth_->RefreshToken(deployment_.Call().get(), refresh, &ignored).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto account = deployment_.directory_store().FindAccount("heerlen", "sanne.coach");
  ASSERT_TRUE(account.ok() && account->has_value());
  EXPECT_TRUE((*account)->user.active()) << "only the password changed";
}

TEST_F(DirectoryEndToEndTest, IntegratedClientsComeInPagesByIdAndByOrganisation) {
  DirectoryStore& store = deployment_.directory_store();
  for (const char* id : {"zorg-dossier", "gemeente-zaak", "bvh-test"}) {
    v1::IntegratedClient client;
    client.set_client_id(id);
    client.set_organisation_id("gemeente-heerlen");
    client.set_certificate_uri(absl::StrCat("spiffe://hartslag/heerlen/client/", id));
    ASSERT_TRUE(store.CreateClient("heerlen", client, testing::Unaudited()).ok());
  }
  auto admin = v1::DirectoryService::NewStub(deployment_.Channel(deployment_.directory()));
  std::string token = AdminToken();
  auto list = [&](const v1::ListIntegratedClientsRequest& r, v1::ListIntegratedClientsResponse* page) {
    return admin->ListIntegratedClients(deployment_.Call(token).get(), r, page);
  };
  v1::ListIntegratedClientsRequest request;
  request.set_page_size(3);
  auto pages = Pages<v1::ListIntegratedClientsRequest, v1::ListIntegratedClientsResponse>(request, list);
  ASSERT_EQ(pages.size(), 2u) << "4 clients, 3 a page";
  std::vector<std::string> listed;
  for (const auto& page : pages) {
    for (const auto& c : page.clients()) listed.push_back(c.client_id());
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"bvh-test", "gemeente-zaak", "politie-bvh", "zorg-dossier"}));
  EXPECT_EQ(pages[0].clients(2).certificate_uri(), kClientUri);
  EXPECT_TRUE(pages[0].clients(2).active());

  request.set_page_size(0);
  request.set_organisation_id("politie-limburg");
  auto police = Pages<v1::ListIntegratedClientsRequest, v1::ListIntegratedClientsResponse>(request, list);
  ASSERT_EQ(police.size(), 1u);
  ASSERT_EQ(police[0].clients_size(), 1);
  EXPECT_EQ(police[0].clients(0).client_id(), "politie-bvh");

  request.set_organisation_id("");
  request.set_page_size(3);
  v1::ListIntegratedClientsResponse first;
  ASSERT_TRUE(list(request, &first).ok());
  request.set_organisation_id("politie-limburg");
  request.set_page_token(first.next_page_token());
  v1::ListIntegratedClientsResponse wrong;
  EXPECT_EQ(list(request, &wrong).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "a token only continues its own list";

  std::string coordinator =
      deployment_.Token(testing::ClaimsFor("carla.coordinator", "gemeente-heerlen", "MUNICIPALITY", {"COORDINATOR"}, {}));
  EXPECT_EQ(admin->ListIntegratedClients(deployment_.Call(coordinator).get(), {}, &wrong).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DirectoryEndToEndTest, PlaintextIsRefused) {
  v1::LoginRequest request;  // empty: whoever answers it has read it
  v1::TokenResponse token;
  // Over TLS the same address answers, so a refusal below is the plaintext's.
  grpc::Status over_tls = auth_->Login(deployment_.Call().get(), request, &token);
  ASSERT_EQ(over_tls.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << over_tls.error_message();

  auto plain = v1::AuthService::NewStub(
      grpc::CreateChannel(deployment_.directory().address(), grpc::InsecureChannelCredentials()));
  auto call = deployment_.Call();
  call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  grpc::Status refused = plain->Login(call.get(), request, &token);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_TRUE(token.access_token().empty());
}

TEST_F(DirectoryEndToEndTest, TheCasesServiceListsATenantsUsersByNameOnlyAPageAtATime) {
  for (const char* id : {"jan", "anna", "zoe"}) AddUser(id, "gemeente-heerlen", {"REPORTER"});
  auto as_cases = v1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "cases"));
  v1::ListTenantUsersRequest request;
  request.set_tenant_id("heerlen");
  request.set_page_size(4);
  auto pages = Pages<v1::ListTenantUsersRequest, v1::ListTenantUsersResponse>(
      request, [&](const v1::ListTenantUsersRequest& r, v1::ListTenantUsersResponse* page) {
        return as_cases->ListTenantUsers(deployment_.Call().get(), r, page);
      });
  ASSERT_EQ(pages.size(), 2u) << "6 users, 4 a page";
  std::vector<std::string> listed;
  for (const auto& page : pages) {
    for (const auto& u : page.users()) listed.push_back(u.user_id());
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"anna", "carla.coordinator", "jan", "peter.politie", "sanne.coach",
                                              "zoe"}));
  EXPECT_EQ(pages[0].users(3).display_name(), "peter.politie");
  EXPECT_EQ(pages[0].users(3).organisation_id(), "politie-limburg");

  v1::ListTenantUsersResponse refused;
  auto as_intake = v1::LookupService::NewStub(deployment_.Channel(deployment_.directory(), "intake"));
  EXPECT_EQ(as_intake->ListTenantUsers(deployment_.Call().get(), request, &refused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "only the cases service names users";
  v1::ListTenantOrganisationsRequest organisations;
  organisations.set_tenant_id("heerlen");
  v1::ListOrganisationsResponse listed_organisations;
  EXPECT_TRUE(as_cases->ListTenantOrganisations(deployment_.Call().get(), organisations, &listed_organisations).ok());
  EXPECT_GT(listed_organisations.organisations_size(), 0);
}

}  // namespace
}  // namespace hartslag::directory
