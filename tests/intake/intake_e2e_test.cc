// hartslag-intake end to end: the real binary on a free port with TLS, a real
// PostgreSQL, and the generated gRPC client, as a partner system meets it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <functional>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/db.h"
#include "services/common/token.h"
#include "services/intake/signal_store.h"
#include "tests/support/cli_run.h"
#include "tests/support/heerlen.h"
#include "tests/support/sample_signal.h"
#include "tests/support/service_process.h"
#include "tests/support/test_database.h"
#include "tests/support/test_keys.h"

namespace hartslag::intake {
namespace {

using testing::CertsDir;
using testing::ClaimsFor;
using testing::ReadFileOrDie;

v1::SubmitSignalRequest Signal() { return testing::SampleSignal(); }

class IntakeEndToEndTest : public ::testing::Test {
 protected:
  IntakeEndToEndTest() : signer_(*TokenSigner::FromPemFile(CertsDir() + "/jwt.key")) {
    Start();
    coach_ = Token(ClaimsFor("coach-1", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"vrieheide"}));
    coordinator_ =
        Token(ClaimsFor("coord-1", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
    partner_ = Token(ClaimsFor("agent-1", "politie", "POLICE", {"PARTNER"}, {"heerlen-noord"}));
  }

  void Start() {
    std::string certs = CertsDir();
    intake_ = std::make_unique<testing::ServiceProcess>(
        HARTSLAG_INTAKE_BINARY,
        std::vector<std::string>{"--db", db_.ServiceConninfo("intake"), "--tls-cert", certs + "/server.pem",
                                 "--tls-key", certs + "/server.key", "--jwt-public-keys",
                                 certs + "/jwt.pub", "--pseudonym-key", certs + "/pseudonym.key"});
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ReadFileOrDie(certs + "/ca.pem");
    channel_ = grpc::CreateChannel(intake_->address(), grpc::SslCredentials(tls));
    stub_ = v1::SignalService::NewStub(channel_);
    // Intake runs here without a directory: give it Heerlen's areas directly.
    auto pool = db::Pool::Open(db_.conninfo(), 1);
    ASSERT_TRUE(pool.ok());
    SignalStore store(pool->get());
    ASSERT_TRUE(testing::SeedHeerlen(store).ok());
  }

  std::string Token(const TokenClaims& claims) { return *signer_.Sign(claims); }

  std::unique_ptr<grpc::ClientContext> Call(const std::string& token) {
    auto call = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) call->AddMetadata("authorization", "Bearer " + token);
    call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return call;
  }

  grpc::Status Submit(const std::string& token, const v1::SubmitSignalRequest& request,
                      v1::SubmitSignalResponse* response) {
    return stub_->SubmitSignal(Call(token).get(), request, response);
  }

  std::vector<v1::Signal> ListAll(const std::string& token) {
    v1::ListSignalsRequest request;
    request.set_page_size(200);
    std::vector<v1::Signal> all;
    do {
      v1::ListSignalsResponse page;
      grpc::Status status = stub_->ListSignals(Call(token).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const auto& s : page.signals()) all.push_back(s);
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return all;
  }

  // The audit records of calls to `rpc`, as they wait in the outbox (the
  // service runs without --audit here).
  std::vector<audit::v1::AuditEvent> RecordsOf(const std::string& rpc) {
    std::vector<audit::v1::AuditEvent> records;
    auto pool = db::Pool::Open(db_.conninfo(), 1);
    EXPECT_TRUE(pool.ok()) << pool.status();
    if (!pool.ok()) return records;
    auto rows = (*pool)->Query("SELECT payload FROM intake.outbox WHERE target = 'audit'");
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return records;
    for (int i = 0; i < rows->size(); ++i) {
      audit::v1::AuditEvent event;
      EXPECT_TRUE(event.ParseFromString(rows->Bytes(i, "payload"))) << "outbox row " << i;
      if (event.origin().rpc() == rpc) records.push_back(std::move(event));
    }
    return records;
  }

  testing::TestDatabase db_;
  TokenSigner signer_;
  std::unique_ptr<testing::ServiceProcess> intake_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SignalService::Stub> stub_;
  std::string coach_, coordinator_, partner_;
};

TEST_F(IntakeEndToEndTest, SubmittedSignalIsListedAndSurvivesARestart) {
  v1::SubmitSignalResponse submitted;
  grpc::Status status = Submit(coach_, Signal(), &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(submitted.signal().reference().empty());

  std::vector<v1::Signal> listed = ListAll(coordinator_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].reference(), submitted.signal().reference());

  EXPECT_EQ(intake_->Stop(), 0) << "graceful shutdown exits 0";
  Start();
  listed = ListAll(coordinator_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].signal_id(), submitted.signal().signal_id());
  v1::GetSignalRequest get;
  get.set_reference(submitted.signal().reference());
  v1::Signal fetched;
  ASSERT_TRUE(stub_->GetSignal(Call(coordinator_).get(), get, &fetched).ok());
  EXPECT_EQ(fetched.description(), "Matrassen en huisraad naast de container.");
}

TEST_F(IntakeEndToEndTest, PlaintextConnectionIsRefused) {
  auto plain = v1::SignalService::NewStub(
      grpc::CreateChannel(intake_->address(), grpc::InsecureChannelCredentials()));
  v1::ListCategoriesResponse response;
  // Over TLS the same address and token answer, so a refusal below is the plaintext's.
  ASSERT_TRUE(stub_->ListCategories(Call(coordinator_).get(), {}, &response).ok());
  response.Clear();
  auto call = Call(coordinator_);
  call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  grpc::Status status = plain->ListCategories(call.get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(response.categories_size(), 0);
}

TEST_F(IntakeEndToEndTest, WithoutAValidTokenEveryCallIsUnauthenticated) {
  v1::SubmitSignalRequest bad;  // invalid too: authentication is still checked first
  TokenClaims expired = ClaimsFor("coach-1", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {});
  expired.expires_at = absl::Now() - absl::Hours(1);
  testing::KeyPair stranger = testing::NewEd25519KeyPair();
  std::string foreign = *TokenSigner::FromPem(stranger.private_pem)->Sign(
      ClaimsFor("coach-1", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {}));
  for (const std::string& token : {std::string(), std::string("garbage"), Token(expired), foreign}) {
    v1::SubmitSignalResponse submitted;
    EXPECT_EQ(Submit(token, bad, &submitted).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Submit(token, Signal(), &submitted).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    v1::ListSignalsResponse list;
    EXPECT_EQ(stub_->ListSignals(Call(token).get(), {}, &list).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_TRUE(ListAll(coordinator_).empty());
}

TEST_F(IntakeEndToEndTest, InstanceServingOneTenantRefusesTokensOfOthers) {
  intake_->Stop();
  std::string certs = CertsDir();
  testing::ServiceProcess heerlen_only(
      HARTSLAG_INTAKE_BINARY,
      {"--db", db_.ServiceConninfo("intake"), "--tls-cert", certs + "/server.pem", "--tls-key", certs + "/server.key",
       "--jwt-public-keys", certs + "/jwt.pub", "--jwt-tenants", "heerlen", "--pseudonym-key",
       certs + "/pseudonym.key"});
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFileOrDie(certs + "/ca.pem");
  auto stub = v1::SignalService::NewStub(grpc::CreateChannel(heerlen_only.address(), grpc::SslCredentials(tls)));
  v1::ListCategoriesResponse categories;
  EXPECT_TRUE(stub->ListCategories(Call(coach_).get(), {}, &categories).ok());
  std::string maastricht = Token(
      ClaimsFor("coach-9", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {}, "maastricht"));
  grpc::Status status = stub->ListCategories(Call(maastricht).get(), {}, &categories);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "invalid token: tenant not served here");
}

TEST_F(IntakeEndToEndTest, RolesFollowTheIntakeRules) {
  v1::SubmitSignalResponse submitted;
  EXPECT_EQ(Submit(partner_, Signal(), &submitted).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Submit(coordinator_, Signal(), &submitted).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListSignalsResponse list;
  EXPECT_EQ(stub_->ListSignals(Call(partner_).get(), {}, &list).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListCategoriesResponse categories;
  EXPECT_EQ(stub_->ListCategories(Call(partner_).get(), {}, &categories).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Signal signal;
  v1::GetSignalRequest get;
  get.set_reference("SV-2026-000001");
  EXPECT_EQ(stub_->GetSignal(Call(partner_).get(), get, &signal).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->ListCategories(Call(coach_).get(), {}, &categories).ok());
  EXPECT_EQ(categories.categories_size(), 15);
}

TEST_F(IntakeEndToEndTest, HundredConcurrentSubmissionsGiveHundredDistinctReferences) {
  constexpr int kCalls = 100;
  std::vector<std::string> references(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      v1::SubmitSignalResponse response;
      grpc::Status status = Submit(coach_, Signal(), &response);
      references[i] = status.ok() ? response.signal().reference() : status.error_message();
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> distinct(references.begin(), references.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kCalls));
  for (const std::string& r : distinct) EXPECT_EQ(r.rfind("SV-", 0), 0u) << r;
  EXPECT_EQ(ListAll(coordinator_).size(), static_cast<size_t>(kCalls));
}

TEST_F(IntakeEndToEndTest, HundredConcurrentRetriesOfOneRequestGiveOneSignal) {
  constexpr int kCalls = 100;
  v1::SubmitSignalRequest request = Signal();
  std::vector<std::string> ids(kCalls);
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      v1::SubmitSignalResponse response;
      grpc::Status status = Submit(coach_, request, &response);
      ids[i] = status.ok() ? response.signal().signal_id() : status.error_message();
      if (status.ok() && !response.replayed()) ++fresh;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u) << ids[0];
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(ListAll(coordinator_).size(), 1u);
}

TEST_F(IntakeEndToEndTest, EachOfHundredConcurrentReadsIsRecordedOnceWithItsOwnOutcome) {
  v1::SubmitSignalResponse submitted;
  ASSERT_TRUE(Submit(coach_, Signal(), &submitted).ok());
  const std::string found = submitted.signal().signal_id();
  constexpr int kCalls = 100;  // even: found, odd: a signal that does not exist
  std::vector<std::string> asked(kCalls);
  std::vector<grpc::StatusCode> codes(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    asked[i] = i % 2 == 0 ? found : RandomUuid();
    threads.emplace_back([&, i] {
      v1::GetSignalRequest get;
      get.set_signal_id(asked[i]);
      v1::Signal signal;
      codes[i] = stub_->GetSignal(Call(coach_).get(), get, &signal).error_code();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(codes[i], i % 2 == 0 ? grpc::StatusCode::OK : grpc::StatusCode::NOT_FOUND) << "call " << i;
  }

  // One record per call, each with its own outcome, however the calls'
  // records were batched.
  std::map<std::string, std::vector<audit::v1::Outcome>> outcomes;  // object id -> outcomes of its reads
  std::set<std::string> event_ids;
  for (const audit::v1::AuditEvent& event : RecordsOf("GetSignal")) {
    EXPECT_TRUE(event_ids.insert(event.event_id()).second) << "event " << event.event_id() << " twice";
    EXPECT_EQ(event.actor().user_id(), "coach-1");
    outcomes[event.object().id()].push_back(event.outcome());
  }
  EXPECT_EQ(event_ids.size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(outcomes[found], std::vector<audit::v1::Outcome>(kCalls / 2, audit::v1::OUTCOME_SUCCESS));
  // A signal that was not found is not named: its id is only the caller's.
  EXPECT_EQ(outcomes[""], std::vector<audit::v1::Outcome>(kCalls / 2, audit::v1::OUTCOME_REJECTED));
}

// A partner system that replays a backlog with a category the municipality
// does not have: each submission is refused naming category_id, stores
// nothing, and leaves one record of the refusal with what it was about.
TEST_F(IntakeEndToEndTest, EachSubmissionOfAnUnknownCategoryIsRefusedAndRecordedWithItsAddress) {
  constexpr int kCalls = 20;
  std::vector<grpc::Status> statuses(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      v1::SubmitSignalRequest request = Signal();
      request.set_category_id("ufo-waarneming");
      v1::SubmitSignalResponse response;
      statuses[i] = Submit(coach_, request, &response);
    });
  }
  for (auto& t : threads) t.join();
  for (const grpc::Status& status : statuses) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), "category_id: not a known, active category");
  }
  EXPECT_TRUE(ListAll(coordinator_).empty());

  std::set<std::string> refusals;  // event ids
  for (const audit::v1::AuditEvent& event : RecordsOf("SubmitSignal")) {
    EXPECT_TRUE(refusals.insert(event.event_id()).second) << "event " << event.event_id() << " twice";
    EXPECT_EQ(event.outcome(), audit::v1::OUTCOME_REJECTED);
    EXPECT_EQ(event.status_code(), "INVALID_ARGUMENT");
    EXPECT_EQ(event.actor().user_id(), "coach-1");
    EXPECT_EQ(event.subjects_size(), 1) << "the address the refused signal was about";
  }
  EXPECT_EQ(refusals.size(), static_cast<size_t>(kCalls));
}

TEST_F(IntakeEndToEndTest, EveryBadInputIsInvalidArgumentAndStoresNothing) {
  v1::SubmitSignalResponse kept;
  ASSERT_TRUE(Submit(coach_, Signal(), &kept).ok());
  using R = v1::SubmitSignalRequest;
  const std::vector<std::pair<std::string, std::function<void(R&)>>> spoilers = {
      {"request_id", [](R& r) { r.set_request_id("again"); }},
      {"area_id", [](R& r) { r.set_area_id("atlantis"); }},
      {"area_id", [](R& r) { r.clear_area_id(); }},
      {"location.address", [](R& r) { r.clear_location(); }},
      {"location.address.street", [](R& r) { r.mutable_location()->mutable_address()->clear_street(); }},
      {"location.address.house_number", [](R& r) { r.mutable_location()->mutable_address()->set_house_number(-4); }},
      {"location.address.postcode", [](R& r) { r.mutable_location()->mutable_address()->set_postcode("ABCD 12"); }},
      {"location.address.city", [](R& r) { r.mutable_location()->mutable_address()->set_city(std::string(200, 'x')); }},
      {"location.point.latitude", [](R& r) { r.mutable_location()->mutable_point()->set_latitude(123); }},
      {"category_id", [](R& r) { r.set_category_id("ufo-waarneming"); }},
      {"description", [](R& r) { r.set_description("kort"); }},
      {"observed_at", [](R& r) { r.mutable_observed_at()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 3600); }},
      {"source", [](R& r) { r.clear_source(); }},
      {"persons[0].name", [](R& r) { r.add_persons(); }},
  };
  for (const auto& [field, spoil] : spoilers) {
    R request = Signal();
    spoil(request);
    v1::SubmitSignalResponse response;
    grpc::Status status = Submit(coach_, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_EQ(status.error_message().rfind(field + ":", 0), 0u)
        << field << " vs " << status.error_message();
  }
  std::vector<v1::Signal> listed = ListAll(coordinator_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].signal_id(), kept.signal().signal_id());
}

// A form puts each message beside its field: the refusal names every bad
// field at once (google.rpc.BadRequest) and says it in Dutch
// (google.rpc.LocalizedMessage), while code and English text stay as they
// were.
TEST_F(IntakeEndToEndTest, ARefusalNamesEveryBadFieldAndSaysItInDutch) {
  v1::SubmitSignalRequest request = Signal();
  request.mutable_location()->mutable_address()->set_postcode("ABCD 12");
  request.set_description("kort");
  v1::SubmitSignalResponse response;
  grpc::Status status = Submit(coach_, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("location.address.postcode: must look like 1234 AB; description: ", 0), 0u)
      << status.error_message();
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details())) << "the grpc-status-details-bin trailer";
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  google::rpc::BadRequest bad;
  google::rpc::LocalizedMessage dutch;
  for (const google::protobuf::Any& any : details.details()) {
    if (any.Is<google::rpc::BadRequest>()) {
      ASSERT_TRUE(any.UnpackTo(&bad));
    }
    if (any.Is<google::rpc::LocalizedMessage>()) {
      ASSERT_TRUE(any.UnpackTo(&dutch));
    }
  }
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "location.address.postcode");
  EXPECT_EQ(bad.field_violations(0).description(), "must look like 1234 AB");
  EXPECT_EQ(bad.field_violations(1).field(), "description");
  EXPECT_EQ(dutch.locale(), "nl-NL");
  EXPECT_EQ(dutch.message().rfind("Postcode moet eruitzien als 1234 AB. Omschrijving moet minstens", 0), 0u)
      << dutch.message();

  // Every refusal says it in Dutch, also one that names no field.
  v1::GetSignalRequest missing;
  missing.set_signal_id(RandomUuid());
  v1::Signal signal;
  grpc::Status not_found = stub_->GetSignal(Call(coordinator_).get(), missing, &signal);
  ASSERT_EQ(not_found.error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(details.ParseFromString(not_found.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  ASSERT_TRUE(details.details(0).UnpackTo(&dutch));
  EXPECT_EQ(dutch.message(), "Niet gevonden, of u heeft er geen toegang toe.");

  // The command line shows the user the Dutch sentence first.
  testing::CliRun cli = testing::Cli(absl::StrCat(
      "signal submit --server ", intake_->address(), " --ca ", CertsDir(), "/ca.pem --token ", coach_,
      " --area vrieheide --category afval-dumping --street Heerenweg --house-number 12 --postcode 1234 --city Heerlen",
      " --description 'Afval naast de container, al drie dagen.'"));
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("fout: Postcode moet eruitzien als 1234 AB."), std::string::npos) << cli.output;
  EXPECT_EQ(ListAll(coordinator_).size(), 0u) << "nothing stored";
}

TEST_F(IntakeEndToEndTest, HealthCheckReportsServing) {
  EXPECT_EQ(testing::HealthOf(channel_), "SERVING");
}

}  // namespace
}  // namespace hartslag::intake
