// How RpcRunner ends a call whatever its handler does: a call no worker is
// free to take is refused busy, one whose deadline passed while it waited is
// not worked on, and one whose handler or quick way throws, or lets it go
// unanswered, is answered INTERNAL at once, and recorded so; a stream whose
// opening or step throws ends INTERNAL. The service goes on serving. Over a
// real gRPC server in this process, with Ping's handler (not audited) or,
// where the record is what is tested, under an audited RPC's rule with the
// records in a real database's outbox.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/operations/v1/operations.grpc.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/feed.h"
#include "services/common/group_commit.h"
#include "services/common/operations_service.h"
#include "services/common/outbox.h"
#include "services/common/pseudonym.h"
#include "services/common/server.h"
#include "tests/support/test_database.h"
#include "tests/support/test_keys.h"

namespace hartslag {
namespace {

namespace ops = operations::v1;

// Ping, served by Run with the handler set, through the quick way when one
// is set.
class PingService final : public ops::OperationsService::CallbackService {
 public:
  explicit PingService(const RpcRunner* runner) : runner_(runner) {}

  void SetHandler(RpcRunner::Handler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handler_ = std::move(handler);
  }
  void SetQuickWay(RpcRunner::QuickWay quick) {
    std::lock_guard<std::mutex> lock(mutex_);
    quick_ = std::move(quick);
  }
  // Runs Ping under another RPC's access rule (and audit record).
  void SetRpc(std::string rpc) {
    std::lock_guard<std::mutex> lock(mutex_);
    rpc_ = std::move(rpc);
  }

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* call, const ops::PingRequest* request,
                                 ops::PingResponse*) override {
    RpcRunner::Handler handler;
    RpcRunner::QuickWay quick;
    std::string rpc;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      handler = handler_;
      quick = quick_;
      rpc = rpc_;
    }
    if (!quick) return runner_->Run(call, rpc, *request, std::move(handler));
    return runner_->Run(call, rpc, *request, std::move(handler), std::move(quick));
  }

 private:
  const RpcRunner* runner_;
  // A std::mutex: ThreadSanitizer cannot see Debian's Abseil's (RELIABILITY.md).
  std::mutex mutex_;
  RpcRunner::Handler handler_ = [](const RequestContext&, AuditRecord&) { return absl::OkStatus(); };
  RpcRunner::QuickWay quick_;
  std::string rpc_ = "Ping";
};

// WatchActions, served by Stream with the opening set. Its events are never
// read: the tests end streams at their opening or first step.
class StreamService final : public cases::v1::ActionService::CallbackService {
 public:
  StreamService(const RpcRunner* runner, Doorbell* doorbell) : runner_(runner), doorbell_(doorbell) {}

  void SetOpen(FeedOpen<cases::v1::ActionEvent> open) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = std::move(open);
  }

  grpc::ServerWriteReactor<cases::v1::ActionEvent>* WatchActions(grpc::CallbackServerContext* call,
                                                                 const cases::v1::WatchActionsRequest* request) override {
    FeedOpen<cases::v1::ActionEvent> open;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open = open_;
    }
    return runner_->Stream<cases::v1::ActionEvent>(call, "WatchActions", *request, doorbell_, std::move(open));
  }

 private:
  const RpcRunner* runner_;
  Doorbell* doorbell_;
  std::mutex mutex_;
  FeedOpen<cases::v1::ActionEvent> open_;
};

// The test's own rules: Ping unaudited, and an audited RPC of each kind.
const AccessPolicy kTestPolicy({
    {"Ping", Roles({Role::kReporter, Role::kAdmin}).Unaudited()},
    {"GetOutboxStatus", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_READ, "outbox")},
    {"WatchActions", Roles({Role::kReporter}).Audit(audit::v1::ACTION_READ, "action")},
});

// A quick way that leaves every call to the handler on a worker.
bool ToAWorker(const RequestContext&, AuditRecord&, std::shared_ptr<RpcRunner::Later>) { return false; }

class RpcRunnerTest : public ::testing::Test {
 protected:
  RpcRunnerTest() { EXPECT_TRUE(db::ExecuteOnce(db_.conninfo(), testing::OutboxSchemaSql("runner_test")).ok()); }

  // `max_queued`: calls that may wait for the one worker.
  void Serve(size_t max_queued) {
    workers_ = std::make_unique<WorkerPool>(1, max_queued);
    runner_ = std::make_unique<RpcRunner>(&authenticator_, &kTestPolicy, workers_.get(), &trail_);
    service_ = std::make_unique<PingService>(runner_.get());
    streams_ = std::make_unique<StreamService>(runner_.get(), &doorbell_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    builder.RegisterService(streams_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    stub_ = ops::OperationsService::NewStub(channel);
    stream_stub_ = cases::v1::ActionService::NewStub(channel);
    ASSERT_TRUE(Ping().ok()) << "connected, and serving";
  }
  void TearDown() override {
    doorbell_.Close();  // no waiting stream is woken onto workers that are gone
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
    // The workers end before the runner they use goes: a call's answer
    // reaches the test through gRPC, which ThreadSanitizer cannot see into,
    // before its worker has returned.
    workers_.reset();
  }

  grpc::Status Ping(absl::Duration deadline = absl::Seconds(30), const std::string* token = nullptr) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token != nullptr ? *token : token_));
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    ops::PingResponse response;
    return stub_->Ping(&context, ops::PingRequest(), &response);
  }

  // Opens WatchActions and returns the status it ended with.
  grpc::Status Watch() {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    auto reader = stream_stub_->WatchActions(&context, cases::v1::WatchActionsRequest());
    cases::v1::ActionEvent event;
    while (reader->Read(&event)) {
    }
    return reader->Finish();
  }

  // Runs on the one worker until `release` is set; returns once it runs.
  void Occupy(std::shared_future<void> release) {
    std::promise<void> started;
    workers_->Post([&started, release] {
      started.set_value();
      release.wait();
    });
    started.get_future().wait();
  }
  // Returns once the worker has run everything queued before.
  void Drain() {
    std::promise<void> drained;
    workers_->Post([&drained] { drained.set_value(); });
    drained.get_future().wait();
  }

  // The records in the outbox, in their order.
  std::vector<audit::v1::AuditEvent> Records() {
    std::vector<audit::v1::AuditEvent> records;
    auto rows = pool_->Query("SELECT payload FROM runner_test.outbox ORDER BY seq");
    EXPECT_TRUE(rows.ok()) << rows.status();
    for (int i = 0; rows.ok() && i < rows->size(); ++i) {
      EXPECT_TRUE(records.emplace_back().ParseFromString(rows->Bytes(i, "payload")));
    }
    return records;
  }

  static std::unique_ptr<db::Pool> Open(const std::string& conninfo) {
    auto pool = db::Pool::Open(conninfo, 2);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_ = Open(db_.conninfo());
  testing::KeyPair keys_ = testing::NewEd25519KeyPair();
  std::string token_ = Token({"REPORTER"});
  Authenticator authenticator_{*TokenVerifier::FromPem({keys_.public_pem}, {})};
  Outbox outbox_{"runner_test"};
  Pseudonymizer pseudonyms_{std::string(32, 'k')};
  AuditTrail trail_{pool_.get(), &outbox_, &pseudonyms_};

  std::string Token(std::vector<std::string> roles) {
    return *TokenSigner::FromPem(keys_.private_pem)
                ->Sign(testing::ClaimsFor("user-1", "gemeente-heerlen", "MUNICIPALITY", std::move(roles), {"vrieheide"}));
  }
  Doorbell doorbell_{absl::Seconds(1)};
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RpcRunner> runner_;
  std::unique_ptr<PingService> service_;
  std::unique_ptr<StreamService> streams_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ops::OperationsService::Stub> stub_;
  std::unique_ptr<cases::v1::ActionService::Stub> stream_stub_;
};

TEST_F(RpcRunnerTest, AHandlerThatThrowsIsAnsweredInternalAndTheServiceGoesOn) {
  ASSERT_NO_FATAL_FAILURE(Serve(8));
  std::atomic<bool> fail = true;
  service_->SetHandler([&](const RequestContext&, AuditRecord&) -> absl::Status {
    if (fail) throw std::runtime_error("a handler's bug");
    return absl::OkStatus();
  });
  EXPECT_EQ(Ping().error_code(), grpc::StatusCode::INTERNAL);
  fail = false;
  EXPECT_TRUE(Ping().ok()) << "the worker that ran it serves the next call";

  // The same on the quick form's way to a worker.
  fail = true;
  service_->SetQuickWay(ToAWorker);
  EXPECT_EQ(Ping().error_code(), grpc::StatusCode::INTERNAL);
  fail = false;
  EXPECT_TRUE(Ping().ok());
}

TEST_F(RpcRunnerTest, ACallWhoseHandlerThrowsIsRecordedAsFailed) {
  ASSERT_NO_FATAL_FAILURE(Serve(8));
  const std::string admin = Token({"ADMIN"});
  service_->SetRpc("GetOutboxStatus");  // audited
  service_->SetHandler([](const RequestContext&, AuditRecord&) -> absl::Status {
    throw std::runtime_error("a handler's bug");
  });
  EXPECT_EQ(Ping(absl::Seconds(30), &admin).error_code(), grpc::StatusCode::INTERNAL);
  std::vector<audit::v1::AuditEvent> records = Records();
  ASSERT_EQ(records.size(), 1u) << "written before the answer";
  EXPECT_EQ(records[0].outcome(), audit::v1::OUTCOME_ERROR);
  EXPECT_EQ(records[0].actor().user_id(), "user-1");
}

TEST_F(RpcRunnerTest, AStreamWhoseOpeningThrowsEndsInternalIsRecordedAsFailedAndTheServiceGoesOn) {
  ASSERT_NO_FATAL_FAILURE(Serve(8));
  streams_->SetOpen([](const RequestContext&, AuditRecord&) -> absl::StatusOr<FeedStep<cases::v1::ActionEvent>> {
    throw std::runtime_error("an opening's bug");
  });
  EXPECT_EQ(Watch().error_code(), grpc::StatusCode::INTERNAL);
  std::vector<audit::v1::AuditEvent> records = Records();
  ASSERT_EQ(records.size(), 1u) << "the opening's record, written before the stream ended";
  EXPECT_EQ(records[0].outcome(), audit::v1::OUTCOME_ERROR);
  EXPECT_TRUE(Ping().ok()) << "the worker that ran it serves the next call";
}

TEST_F(RpcRunnerTest, AStreamWhoseStepThrowsEndsInternalAndTheServiceGoesOn) {
  ASSERT_NO_FATAL_FAILURE(Serve(8));
  std::atomic<int> steps = 0;
  streams_->SetOpen([&](const RequestContext&, AuditRecord&) -> absl::StatusOr<FeedStep<cases::v1::ActionEvent>> {
    return [&](const RequestContext&, const RecordBegin&) -> absl::StatusOr<std::vector<cases::v1::ActionEvent>> {
      ++steps;
      throw std::runtime_error("a step's bug");
    };
  });
  EXPECT_EQ(Watch().error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(steps, 1) << "ended at its first step";
  std::vector<audit::v1::AuditEvent> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome(), audit::v1::OUTCOME_SUCCESS) << "the opening's record: it opened";
  EXPECT_TRUE(Ping().ok());
}

TEST_F(RpcRunnerTest, ACallItsQuickWayLetsGoUnansweredIsAnsweredInternalAtOnce) {
  ASSERT_NO_FATAL_FAILURE(Serve(8));
  service_->SetQuickWay([](const RequestContext&, AuditRecord&, std::shared_ptr<RpcRunner::Later>) {
    return true;  // took the call, and dropped it
  });
  EXPECT_EQ(Ping().error_code(), grpc::StatusCode::INTERNAL) << "not left to its deadline of 30 s";

  service_->SetQuickWay([](const RequestContext&, AuditRecord&, std::shared_ptr<RpcRunner::Later>) -> bool {
    throw std::runtime_error("a quick way's bug");
  });
  EXPECT_EQ(Ping().error_code(), grpc::StatusCode::INTERNAL);

  service_->SetQuickWay([](const RequestContext&, AuditRecord&, std::shared_ptr<RpcRunner::Later> later) {
    later->Finish(absl::OkStatus());
    return true;
  });
  EXPECT_TRUE(Ping().ok());
}

// What intake's SubmitSignal does: the quick way queues the call on a group
// commit, whose committer answers it once the batch has ended.
TEST_F(RpcRunnerTest, ACallWhoseBatchAnswerThrowsIsAnsweredInternalAndTheNextBatchesAnswerTheirs) {
  ASSERT_NO_FATAL_FAILURE(Serve(8));
  GroupCommit<int, int> batches("test", [](const std::vector<const int*>& items, absl::Time) {
    return absl::StatusOr<std::vector<int>>(std::vector<int>(items.size(), 0));
  });
  std::atomic<bool> fail = true;
  const int item = 1;
  service_->SetQuickWay([&](const RequestContext&, AuditRecord&, std::shared_ptr<RpcRunner::Later> later) {
    return batches.SubmitThen(item, absl::InfiniteFuture(), [&fail, later](absl::StatusOr<int>) {
      if (fail) throw std::runtime_error("an answer's bug");
      later->Finish(absl::OkStatus());
    });
  });
  EXPECT_EQ(Ping().error_code(), grpc::StatusCode::INTERNAL) << "not left to its deadline of 30 s";
  fail = false;
  EXPECT_TRUE(Ping().ok());
}

TEST_F(RpcRunnerTest, ACallNoWorkerIsFreeToTakeIsRefusedBusyAndNotWorkedOn) {
  ASSERT_NO_FATAL_FAILURE(Serve(/*max_queued=*/1));
  std::atomic<int> handled = 0;
  service_->SetHandler([&](const RequestContext&, AuditRecord&) {
    ++handled;
    return absl::OkStatus();
  });
  std::promise<void> release;
  Occupy(release.get_future().share());
  workers_->Post([] {});  // and the one place in its queue taken
  EXPECT_EQ(Ping().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  service_->SetQuickWay(ToAWorker);
  EXPECT_EQ(Ping().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << "nor on the quick form's way";
  release.set_value();
  Drain();
  EXPECT_EQ(handled, 0);
}

TEST_F(RpcRunnerTest, ACallWhoseDeadlinePassedWhileItWaitedForAWorkerIsNotWorkedOn) {
  ASSERT_NO_FATAL_FAILURE(Serve(8));
  std::atomic<int> handled = 0;
  service_->SetHandler([&](const RequestContext&, AuditRecord&) {
    ++handled;
    return absl::OkStatus();
  });
  for (bool quick_form : {false, true}) {
    if (quick_form) service_->SetQuickWay(ToAWorker);
    std::promise<void> release;
    Occupy(release.get_future().share());
    EXPECT_EQ(Ping(absl::Milliseconds(300)).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    // The server counts the call's deadline from when the call reached it,
    // a little after the client sent it.
    absl::SleepFor(absl::Milliseconds(500));
    release.set_value();
    Drain();
    EXPECT_EQ(handled, 0) << (quick_form ? "quick form" : "Run");
    EXPECT_TRUE(Ping().ok()) << "a call in time is worked on";
    EXPECT_EQ(handled, 1);
    handled = 0;
  }
}

// The record of a dropped call is written after its answer, with the call's
// event id: as failed, or not at all when a record of the call is stored
// already (a batch that stored the call's data with it).
TEST_F(RpcRunnerTest, ADroppedCallIsRecordedAsFailedUnlessItsRecordIsStoredAlready) {
  ASSERT_NO_FATAL_FAILURE(Serve(/*max_queued=*/1));
  const std::string admin = Token({"ADMIN"});
  service_->SetRpc("GetOutboxStatus");  // audited
  service_->SetQuickWay([](const RequestContext&, AuditRecord&, std::shared_ptr<RpcRunner::Later>) {
    return true;  // took the call, and dropped it
  });
  // Its record is owed even with the workers' queue full.
  std::promise<void> release;
  Occupy(release.get_future().share());
  workers_->Post([] {});
  EXPECT_EQ(Ping(absl::Seconds(30), &admin).error_code(), grpc::StatusCode::INTERNAL);
  release.set_value();
  Drain();  // the record is written on a worker; the answer did not wait for it
  std::vector<audit::v1::AuditEvent> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome(), audit::v1::OUTCOME_ERROR);
  EXPECT_EQ(records[0].actor().user_id(), "user-1");

  service_->SetQuickWay([this](const RequestContext&, AuditRecord& audit, std::shared_ptr<RpcRunner::Later>) {
    AuditRecord stored = audit;  // as a batch stores a copy of the call's record with its data
    EXPECT_TRUE(trail_.Finish(stored, absl::OkStatus()).ok());
    return true;  // and the answer then never came
  });
  EXPECT_EQ(Ping(absl::Seconds(30), &admin).error_code(), grpc::StatusCode::INTERNAL);
  Drain();
  records = Records();
  ASSERT_EQ(records.size(), 2u) << "one record of the second call";
  EXPECT_EQ(records[1].outcome(), audit::v1::OUTCOME_SUCCESS);
}

}  // namespace
}  // namespace hartslag
