// The client library (clients/cpp) end to end, as a partner system meets
// Hartslag: hartslag-directory and hartslag-cases as real processes over
// TLS, tokens from the directory (password login, the saved token file,
// an integrated client over mutual TLS) that renew themselves, calls that are
// retried while a service restarts, and the action follower surviving a
// crash of hartslag-cases, an expired token and its own restart without
// losing or repeating an event. The police example program is run as the
// binary it is.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "clients/cpp/action_follower.h"
#include "clients/cpp/channel.h"
#include "clients/cpp/session.h"
#include "clients/cpp/token_source.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/directory/password.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_case.h"
#include "tests/support/test_keys.h"

namespace hartslag::client {
namespace {

namespace cv1 = cases::v1;
namespace dv1 = directory::v1;

constexpr char kPassword[] = "lang-genoeg-wachtwoord";
constexpr char kPolice[] = "politie-limburg";

// The directory reads its token lifetime from the environment; set before the
// deployment starts, removed after.
class ScopedTokenLifetime {
 public:
  explicit ScopedTokenLifetime(const char* ttl) { setenv("HARTSLAG_ACCESS_TOKEN_TTL", ttl, 1); }
  ~ScopedTokenLifetime() { unsetenv("HARTSLAG_ACCESS_TOKEN_TTL"); }
};

class ClientLibraryTest : public ::testing::Test {
 protected:
  explicit ClientLibraryTest(const char* token_lifetime = "15m") : lifetime_(token_lifetime) {
    directory::DirectoryStore& store = deployment_.directory_store();
    EXPECT_TRUE(store.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    for (auto [id, kind] : {std::pair{"gemeente-heerlen", common::v1::ORGANISATION_KIND_MUNICIPALITY},
                            std::pair{kPolice, common::v1::ORGANISATION_KIND_POLICE}}) {
      dv1::Organisation org;
      org.set_organisation_id(id);
      org.set_name(id);
      org.set_kind(kind);
      EXPECT_TRUE(store.CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
    }
    dv1::Area area;
    area.set_area_id("heerlen-noord");
    area.set_name("Heerlen-Noord");
    EXPECT_TRUE(store.CreateArea("heerlen", area, testing::Unaudited()).ok());
    dv1::User user;
    user.set_user_id("peter.politie");
    user.set_organisation_id(kPolice);
    user.set_display_name("peter.politie");
    user.add_roles("PARTNER");
    user.add_areas("heerlen-noord");
    EXPECT_TRUE(store.CreateUser("heerlen", user, *directory::HashPassword(kPassword), testing::Unaudited()).ok());
    dv1::IntegratedClient client;
    client.set_client_id("politie-bvh");
    client.set_organisation_id(kPolice);
    client.set_certificate_uri("spiffe://hartslag/heerlen/client/politie-bvh");
    EXPECT_TRUE(store.CreateClient("heerlen", client, testing::Unaudited()).ok());

    coordinator_ = deployment_.Token(testing::ClaimsFor("carla.coordinator", "gemeente-heerlen", "MUNICIPALITY",
                                                        {"COORDINATOR"}, {"heerlen-noord"}));
    actions_ = cv1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
    auto call = Call(coordinator_);
    cv1::Case opened;
    grpc::Status status = cv1::CaseService::NewStub(deployment_.Channel(deployment_.cases()))
                              ->OpenCase(call.get(), testing::SampleHousehold(), &opened);
    EXPECT_TRUE(status.ok()) << status.error_message();
    case_id_ = opened.case_id();
    dir_ = std::filesystem::temp_directory_path() / ("hartslag-client-" + HexEncode(RandomBytes(4)));
    std::filesystem::create_directories(dir_);
  }
  ~ClientLibraryTest() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token) {
    auto call = deployment_.Call(token);
    call->AddMetadata("x-hartslag-purpose", "CASE_MANAGEMENT");
    return call;
  }

  ChannelOptions To(const testing::ServiceProcess& service, bool mutual_tls = false) const {
    ChannelOptions options;
    options.address = service.address();
    options.ca_file = testing::CertsDir() + "/ca.pem";
    if (mutual_tls) {
      options.client_cert_file = testing::CertsDir() + "/politie-bvh.pem";
      options.client_key_file = testing::CertsDir() + "/politie-bvh.key";
    }
    return options;
  }
  std::shared_ptr<grpc::Channel> ChannelTo(const testing::ServiceProcess& service, bool mutual_tls = false) const {
    return *OpenChannel(To(service, mutual_tls));
  }

  // The police system's token source: an integrated client over mutual TLS.
  TokenSourcePtr PoliceSystemTokens() {
    return IntegratedClientToken(ChannelTo(deployment_.directory(), /*mutual_tls=*/true), "peter.politie");
  }

  // A new action for the police on the household's case, by the coordinator.
  std::string GiveAction(const std::string& description) {
    cv1::CreateActionRequest r;
    r.set_request_id(RandomUuid());
    r.set_case_id(case_id_);
    r.set_description(description);
    r.add_organisation_ids(kPolice);
    r.set_due_date("2099-01-01");
    cv1::Action created;
    grpc::Status status = actions_->CreateAction(Call(coordinator_).get(), r, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.action_id();
  }

  ScopedTokenLifetime lifetime_;
  testing::Deployment deployment_;
  std::string coordinator_;
  std::unique_ptr<cv1::ActionService::Stub> actions_;
  std::string case_id_;
  std::filesystem::path dir_;
};

// Tokens that live 4 seconds, so that renewal happens within a test.
class ShortTokenTest : public ClientLibraryTest {
 protected:
  ShortTokenTest() : ClientLibraryTest("4s") {}
};

// What a follower handed its handler, from another thread.
class Received {
 public:
  void Add(const cv1::ActionEvent& e) {
    absl::MutexLock lock(&mu_);
    lines_.push_back(absl::StrCat(cv1::ActionEvent::Change_Name(e.change()), " ", e.action().description()));
  }
  // Waits until `n` events arrived (at most 30 s); all of them.
  std::vector<std::string> Await(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&] {
      mu_.AssertHeld();
      return lines_.size() >= n;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
    return lines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

TEST(ChannelTest, MissingOrHalfGivenOptionsAreNamed) {
  ChannelOptions options;
  options.address = "localhost:1";
  EXPECT_EQ(OpenChannel(options).status().message(), "ca_file: the CA's PEM file is required");
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(OpenChannel(options).status().message(), "ca_file: cannot read /nonexistent/ca.pem");
  options.ca_file = testing::CertsDir() + "/ca.pem";
  options.client_cert_file = testing::CertsDir() + "/politie-bvh.pem";
  EXPECT_EQ(OpenChannel(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientLibraryTest, AWrongPasswordIsRefusedAtOnce) {
  auto tokens = PasswordLogin(ChannelTo(deployment_.directory()), {"heerlen", "peter.politie", "niet-het-wachtwoord"});
  EXPECT_EQ(tokens.status().code(), absl::StatusCode::kUnauthenticated) << tokens.status();
}

TEST_F(ShortTokenTest, PasswordLoginRenewsItsTokenWithTheRefreshTokenBeforeExpiry) {
  auto tokens = PasswordLogin(ChannelTo(deployment_.directory()), {"heerlen", "peter.politie", kPassword});
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  std::string first = *(*tokens)->Token();
  EXPECT_EQ(*(*tokens)->Token(), first) << "a fresh token is kept, not fetched per call";
  absl::Time first_expiry = *ExpiryOf(first);
  // The renewal must come from the refresh token: the account is locked
  // now, so a second password login would fail.
  ASSERT_TRUE(deployment_.directory_store().RecordLoginFailure("heerlen", "peter.politie", 1, absl::Hours(1)).ok());
  EXPECT_EQ(PasswordLogin(ChannelTo(deployment_.directory()), {"heerlen", "peter.politie", kPassword}).status().code(),
            absl::StatusCode::kUnauthenticated);
  // The renewal is due a quarter of the lifetime (1 s) before expiry; `exp`
  // is in whole seconds, so at first_expiry it is due whatever the fraction.
  absl::SleepFor(first_expiry - absl::Now());
  absl::StatusOr<std::string> renewed = (*tokens)->Token();
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_NE(*renewed, first);
  EXPECT_GT(*ExpiryOf(*renewed), first_expiry);
  // And the renewed token works at a service.
  CallOptions options;
  options.purpose = "ACTION_EXECUTION";
  Session session(*tokens, options);
  cv1::ListActionsRequest mine;
  mine.set_mine(true);
  cv1::ListActionsResponse listed;
  auto police_actions = cv1::ActionService::NewStub(ChannelTo(deployment_.cases()));
  EXPECT_TRUE(session.Call(Retry::kIdempotent, [&](grpc::ClientContext& call) {
    return police_actions->ListActions(&call, mine, &listed);
  }).ok());
}

TEST_F(ShortTokenTest, ASavedTokenFileIsRenewedAndRewrittenWithItsRefreshToken) {
  auto auth = dv1::AuthService::NewStub(ChannelTo(deployment_.directory()));
  dv1::LoginRequest login;
  login.set_tenant_id("heerlen");
  login.set_user_id("peter.politie");
  login.set_password(kPassword);
  dv1::TokenResponse saved;
  ASSERT_TRUE(auth->Login(deployment_.Call().get(), login, &saved).ok());
  const std::string path = dir_ / "token";
  std::ofstream(path) << saved.access_token() << "\n";
  std::ofstream(path + ".refresh") << saved.refresh_token() << "\n";

  TokenSourcePtr tokens = SavedTokenFile(path, ChannelTo(deployment_.directory()));
  EXPECT_EQ(*tokens->Token(), saved.access_token());
  absl::SleepFor(*ExpiryOf(saved.access_token()) - absl::Now());
  absl::StatusOr<std::string> renewed = tokens->Token();
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_NE(*renewed, saved.access_token());
  // Both files now hold the new pair, for the next program that reads them.
  EXPECT_EQ(absl::StripAsciiWhitespace(*ReadFile(path, "token")), *renewed);
  std::string refresh(absl::StripAsciiWhitespace(*ReadFile(path + ".refresh", "refresh")));
  EXPECT_NE(refresh, saved.refresh_token());
  EXPECT_FALSE(refresh.empty());

  // Without a directory the file is only read: an expired token is the
  // caller's to renew, and says so.
  absl::SleepFor(*ExpiryOf(saved.access_token()) - absl::Now() + absl::Seconds(1));
  std::ofstream(dir_ / "expired") << saved.access_token() << "\n";
  absl::StatusOr<std::string> expired = SavedTokenFile(dir_ / "expired")->Token();
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), absl::string_view::npos) << expired.status();
}

TEST_F(ClientLibraryTest, AnIdempotentCallIsRetriedWhileTheServiceRestartsAndOthersAreNot) {
  CallOptions options;
  options.purpose = "ACTION_EXECUTION";
  options.timeout = absl::Seconds(2);
  options.retry.max_attempts = 30;
  options.retry.backoff = {absl::Milliseconds(100), absl::Milliseconds(400)};
  Session session(PoliceSystemTokens(), options);
  auto actions = cv1::ActionService::NewStub(ChannelTo(deployment_.cases(), /*mutual_tls=*/true));
  cv1::ListActionsRequest mine;
  mine.set_mine(true);
  cv1::ListActionsResponse listed;
  ASSERT_TRUE(session.Call(Retry::kIdempotent, [&](grpc::ClientContext& call) {
    return actions->ListActions(&call, mine, &listed);
  }).ok());

  deployment_.StopCases(SIGKILL);
  int attempts = 0;
  absl::Status once = session.Call(Retry::kNever, [&](grpc::ClientContext& call) {
    ++attempts;
    return actions->ListActions(&call, mine, &listed);
  });
  EXPECT_EQ(once.code(), absl::StatusCode::kUnavailable) << once;
  EXPECT_EQ(attempts, 1);

  // The service comes back a second later. (Started from this thread: a
  // test's service process ends with the thread that started it.)
  attempts = 0;
  absl::Status retried;
  absl::Time began = absl::Now();
  std::thread caller([&] {
    retried = session.Call(Retry::kIdempotent, [&](grpc::ClientContext& call) {
      ++attempts;
      return actions->ListActions(&call, mine, &listed);
    });
  });
  absl::SleepFor(absl::Seconds(1));
  deployment_.StartCases();
  absl::Time restarted = absl::Now();
  caller.join();
  EXPECT_TRUE(retried.ok()) << retried << " after " << absl::Now() - began << "; cases served again after "
                            << restarted - began;
  EXPECT_GT(attempts, 1) << "the first attempts met the stopped service";
}

TEST_F(ClientLibraryTest, TheFollowerSurvivesACrashOfCasesAndItsOwnRestartWithoutLossOrRepeats) {
  ActionFollowerOptions options;
  options.cursor_file = dir_ / "cursor";
  options.from_beginning = true;
  options.backoff = {absl::Milliseconds(100), absl::Seconds(1)};
  std::shared_ptr<grpc::Channel> channel = ChannelTo(deployment_.cases(), /*mutual_tls=*/true);
  TokenSourcePtr tokens = PoliceSystemTokens();
  Received received;
  auto follower = std::make_unique<ActionFollower>(channel, tokens, options);
  absl::Status ended;
  std::thread following([&] {
    ended = follower->Run([&](const cv1::ActionEvent& e) {
      received.Add(e);
      return absl::OkStatus();
    });
  });
  GiveAction("1: adrescontrole");
  GiveAction("2: buurtonderzoek");
  ASSERT_EQ(received.Await(2).size(), 2u);

  deployment_.StopCases(SIGKILL);
  absl::SleepFor(absl::Seconds(1));  // the follower meets the dead service and backs off
  deployment_.StartCases();
  actions_ = cv1::ActionService::NewStub(deployment_.Channel(deployment_.cases()));
  GiveAction("3: huisbezoek");
  GiveAction("4: camerabeelden");
  std::vector<std::string> seen = received.Await(4);
  follower->Stop();
  following.join();
  EXPECT_TRUE(ended.ok()) << ended;
  EXPECT_EQ(seen, (std::vector<std::string>{"CHANGE_CREATED 1: adrescontrole", "CHANGE_CREATED 2: buurtonderzoek",
                                            "CHANGE_CREATED 3: huisbezoek", "CHANGE_CREATED 4: camerabeelden"}));

  // The system itself restarts: a new follower on the same cursor file gets
  // exactly what happened since.
  GiveAction("5: na de herstart");
  Received after;
  follower = std::make_unique<ActionFollower>(channel, tokens, options);
  std::thread again([&] {
    ended = follower->Run([&](const cv1::ActionEvent& e) {
      after.Add(e);
      if (e.action().description().rfind("6:", 0) == 0) follower->Stop();
      return absl::OkStatus();
    });
  });
  GiveAction("6: laatste");
  again.join();
  EXPECT_TRUE(ended.ok()) << ended;
  EXPECT_EQ(after.Await(2), (std::vector<std::string>{"CHANGE_CREATED 5: na de herstart", "CHANGE_CREATED 6: laatste"}));
}

TEST_F(ShortTokenTest, TheFollowerRenewsAnExpiredTokenAndResumes) {
  ActionFollowerOptions options;
  options.cursor_file = dir_ / "cursor";
  Received received;
  ActionFollower follower(ChannelTo(deployment_.cases(), /*mutual_tls=*/true), PoliceSystemTokens(), options);
  absl::Status ended;
  std::thread following([&] {
    ended = follower.Run([&](const cv1::ActionEvent& e) {
      received.Add(e);
      return absl::OkStatus();
    });
  });
  // The stream starts at the present; wait until it has (its cursor is saved).
  absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (!std::filesystem::exists(options.cursor_file) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  GiveAction("1: voor het verlopen");
  ASSERT_EQ(received.Await(1).size(), 1u);
  absl::SleepFor(absl::Seconds(5));  // the first token (4 s) has expired and the service ended the stream
  GiveAction("2: na het verlopen");
  std::vector<std::string> seen = received.Await(2);
  follower.Stop();
  following.join();
  EXPECT_TRUE(ended.ok()) << ended;
  EXPECT_EQ(seen, (std::vector<std::string>{"CHANGE_CREATED 1: voor het verlopen", "CHANGE_CREATED 2: na het verlopen"}));
}

TEST_F(ClientLibraryTest, ThePoliceExampleCompletesTheActionItReceives) {
  const std::string action_id = GiveAction("huisbezoek met het buurtteam");
  const std::string certs = testing::CertsDir();
  const std::string command = absl::StrCat(
      HARTSLAG_EXAMPLE_POLICE_BINARY, " --directory ", deployment_.directory().address(), " --cases ",
      deployment_.cases().address(), " --ca ", certs, "/ca.pem --cert ", certs, "/politie-bvh.pem --key ", certs,
      "/politie-bvh.key --user peter.politie --cursor-file ", (dir_ / "cursor").string(),
      " --from-beginning --count 1 --for 30s 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << output;
  EXPECT_NE(output.find(absl::StrCat("action ", action_id, " completed (status done)")), std::string::npos) << output;
  EXPECT_EQ(output.find("huisbezoek"), std::string::npos) << "action texts stay out of the log: " << output;

  cv1::ListActionsRequest of_case;
  of_case.set_case_id(case_id_);
  cv1::ListActionsResponse listed;
  ASSERT_TRUE(actions_->ListActions(Call(coordinator_).get(), of_case, &listed).ok());
  ASSERT_EQ(listed.actions_size(), 1);
  EXPECT_EQ(listed.actions(0).status(), cv1::ACTION_STATUS_DONE);
  EXPECT_EQ(listed.actions(0).result(), "Afgehandeld door het politiesysteem.");
}

}  // namespace
}  // namespace hartslag::client
