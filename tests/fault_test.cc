// Faults under load, end to end: the services as real processes over TLS,
// with clients that keep calling while a service (or PostgreSQL itself) is
// killed with SIGKILL and started again, retrying as a real client would.
// What is acknowledged is kept exactly once, what is recorded arrives in the
// audit log exactly once, what is decided reaches intake exactly once, a
// stream resumed from its cursor misses and repeats nothing, and a watch
// that started at the present misses nothing given after it started. Each
// test prints what it measured ("[figures] ...").
#include <gtest/gtest.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "clients/cpp/audit_export.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "libs/audit_verify/log_export.h"
#include "services/audit/audit_log.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "tests/support/cli_run.h"
#include "tests/support/deployment.h"
#include "tests/support/sample_case.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"

namespace hartslag {
namespace {

namespace av1 = audit::v1;
namespace cv1 = cases::v1;
namespace dv1 = directory::v1;
namespace iv1 = intake::v1;
using testing::ClaimsFor;
using testing::Deployment;

// What a client retries: the server was away, or did not answer in time.
bool Retryable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// A client's pause before it tries again.
constexpr absl::Duration kRetryPause = absl::Milliseconds(100);
// How long a client keeps retrying one request before it gives up.
constexpr absl::Duration kGiveUp = absl::Seconds(30);

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// Rows of `sql` on the deployment's database (as its owner), retried while
// the database is away: the test's own pool may hold connections from before
// a crash.
db::Rows Sql(Deployment& deployment, const std::string& sql, const db::Params& params = {}) {
  absl::Time give_up = absl::Now() + absl::Seconds(30);
  for (;;) {
    absl::StatusOr<db::Rows> rows = deployment.pool().Query(sql, params);
    if (rows.ok()) return *rows;
    if (!absl::IsUnavailable(rows.status()) || absl::Now() > give_up) {
      ADD_FAILURE() << sql << ": " << rows.status();
      return db::Rows();
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

int64_t Count(Deployment& deployment, const std::string& sql) {
  db::Rows rows = Sql(deployment, sql);
  return rows.size() == 1 ? rows.Int(0, "n") : -1;
}

// Waits (at most `timeout`) until `done` holds, looking every `poll`;
// returns whether it did.
bool Await(const std::function<bool()>& done, absl::Duration timeout,
           absl::Duration poll = absl::Milliseconds(200)) {
  absl::Time give_up = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(poll);
  }
  return true;
}

// How many records Heerlen's audit log holds per trace id, read straight
// from audit.entries.
std::map<std::string, int> RecordsByTrace(Deployment& deployment) {
  std::map<std::string, int> records;
  db::Rows rows = Sql(deployment, "SELECT entry FROM audit.entries WHERE log_id = 'heerlen' ORDER BY idx");
  for (int i = 0; i < rows.size(); ++i) {
    av1::AuditEvent event;
    EXPECT_TRUE(event.ParseFromString(rows.Bytes(i, "entry"))) << "entry " << i;
    ++records[event.trace_id()];
  }
  return records;
}

// Events waiting in the four services' outboxes, and events set aside.
int64_t Pending(Deployment& deployment) {
  return Count(deployment,
               "SELECT (SELECT count(*) FROM intake.outbox) + (SELECT count(*) FROM cases.outbox) + "
               "(SELECT count(*) FROM directory.outbox) + (SELECT count(*) FROM audit.outbox) AS n");
}
int64_t SetAside(Deployment& deployment) {
  return Count(deployment,
               "SELECT (SELECT count(*) FROM intake.dead_letters) + (SELECT count(*) FROM cases.dead_letters) + "
               "(SELECT count(*) FROM directory.dead_letters) + (SELECT count(*) FROM audit.dead_letters) AS n");
}

// The whole log as the privacy officer exports it, checked offline against
// a freshly signed tree head. Returns the verified tree size.
uint64_t ExportAndVerify(Deployment& deployment) {
  auto audit = av1::AuditService::NewStub(deployment.Channel(deployment.audit()));
  const std::string officer = deployment.PrivacyOfficerToken();
  av1::GetTreeHeadRequest fresh;
  fresh.set_fresh(true);
  av1::SignedTreeHead head;
  grpc::Status signed_head = audit->GetTreeHead(deployment.Call(officer).get(), fresh, &head);
  EXPECT_TRUE(signed_head.ok()) << signed_head.error_message();
  std::stringstream out;
  auto written = client::ExportAuditLog(*audit, [&] { return deployment.Call(officer); }, out);
  EXPECT_TRUE(written.ok()) << written.status();
  if (!written.ok()) return 0;
  KeyPtr key = *ParseEd25519Pem(*ReadFile(testing::CertsDir() + "/audit-tree.pub", "key"), false);
  std::istringstream lines(out.str());
  auto verified = audit::VerifyExportedLog(lines, audit::TreeHeadFromProto(head), key.get());
  EXPECT_TRUE(verified.ok()) << verified.status();
  if (!verified.ok()) return 0;
  EXPECT_GE(verified->tree_size, head.tree_size());
  return verified->tree_size;
}

// A SHARE lock on an outbox table, held from a connection of the test's own
// until Release: a relay that has delivered a batch from it cannot delete
// the batch (nor can the service add to it) meanwhile. Killing the service
// then leaves a batch that its receiver stored but that is still waiting to
// be delivered again.
class OutboxLock {
 public:
  OutboxLock(const std::string& conninfo, const std::string& table) {
    auto pool = db::Pool::Open(conninfo, 1);
    if (!pool.ok()) throw std::runtime_error(pool.status().ToString());
    pool_ = *std::move(pool);
    auto tx = pool_->Begin();
    if (!tx.ok()) throw std::runtime_error(tx.status().ToString());
    tx_.emplace(*std::move(tx));
    absl::Status locked = tx_->Exec(absl::StrCat("LOCK TABLE ", table, " IN SHARE MODE"));
    if (!locked.ok()) throw std::runtime_error(locked.ToString());
  }
  // Rolls back, letting go of the lock.
  void Release() { tx_.reset(); }

 private:
  std::unique_ptr<db::Pool> pool_;
  std::optional<db::Transaction> tx_;
};

// Reporters submitting signals from several threads, each with a request id
// of its own choosing, retrying the same request id (after a pause, on a new
// connection) on UNAVAILABLE or DEADLINE_EXCEEDED until it is acknowledged.
// Every attempt carries a trace id of its own ("<prefix><thread>-<n>-a<k>").
class SignalClients {
 public:
  struct Attempt {
    std::string trace;
    grpc::StatusCode code;
    absl::Time started, ended;
  };

  SignalClients(Deployment& deployment, std::string address, int threads, std::string prefix)
      : deployment_(deployment), address_(std::move(address)), prefix_(std::move(prefix)) {
    token_ = deployment.Token(ClaimsFor("bart.boa", "handhaving", "ENFORCEMENT", {"REPORTER"}, {"heerlen-noord"}));
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  ~SignalClients() { Stop(); }

  // Lets each thread finish the request it is on (until acknowledged), then joins.
  void Stop() {
    stopping_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  int acknowledged_count() const { return acknowledged_.load(); }

  std::mutex mutex;
  std::set<std::string> sent;                             // request ids, each sent at least once
  std::map<std::string, std::string> acknowledged;        // request id -> signal id
  std::vector<Attempt> attempts;
  int retries = 0, replayed = 0, failed = 0;

 private:
  void Run(int thread) {
    auto stub = iv1::SignalService::NewStub(deployment_.Channel(address_));
    for (int n = 0; !stopping_; ++n) {
      iv1::SubmitSignalRequest request = testing::SampleSignal("vrieheide");
      request.mutable_location()->mutable_address()->set_house_number(1 + (thread * 1000 + n) % 400);
      request.set_description(absl::StrCat("Matrassen naast de container, melding ", thread, "-", n));
      {
        std::lock_guard<std::mutex> lock(mutex);
        sent.insert(request.request_id());
      }
      absl::Time give_up = absl::Now() + kGiveUp;
      for (int attempt = 1;; ++attempt) {
        std::string trace = absl::StrCat(prefix_, thread, "-", n, "-a", attempt);
        auto call = deployment_.Call(token_);
        call->AddMetadata("x-request-id", trace);
        call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
        iv1::SubmitSignalResponse response;
        const absl::Time call_started = absl::Now();
        grpc::Status status = stub->SubmitSignal(call.get(), request, &response);
        std::unique_lock<std::mutex> lock(mutex);
        attempts.push_back({trace, status.error_code(), call_started, absl::Now()});
        if (status.ok()) {
          auto [it, fresh] = acknowledged.emplace(request.request_id(), response.signal().signal_id());
          EXPECT_TRUE(fresh) << "acknowledged twice: " << request.request_id();
          EXPECT_EQ(it->second, response.signal().signal_id());
          replayed += response.replayed() ? 1 : 0;
          ++acknowledged_;
          break;
        }
        if (!Retryable(status) || absl::Now() > give_up) {
          ++failed;
          ADD_FAILURE() << "request " << request.request_id() << " (" << trace << ") failed for good: "
                        << status.error_code() << " " << status.error_message();
          break;
        }
        ++retries;
        lock.unlock();
        absl::SleepFor(kRetryPause);
        stub = iv1::SignalService::NewStub(deployment_.Channel(address_));
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  Deployment& deployment_;
  const std::string address_, prefix_;
  std::string token_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> acknowledged_{0};
  std::vector<std::thread> threads_;
};

// What intake stored of the signals: request ids with their signal ids.
struct StoredSignals {
  std::map<std::string, std::vector<std::string>> by_request;  // request id -> signal ids
  int rows = 0;
  int reference_gaps = 0;  // numbers missing between 1 and the highest reference number
};

StoredSignals ReadStoredSignals(Deployment& deployment) {
  StoredSignals stored;
  db::Rows rows = Sql(deployment, "SELECT request_id, signal_id::text AS signal_id, reference FROM intake.signals");
  std::set<int64_t> numbers;
  for (int i = 0; i < rows.size(); ++i) {
    stored.by_request[rows.Text(i, "request_id")].push_back(rows.Text(i, "signal_id"));
    int64_t number = 0;
    std::string reference = rows.Text(i, "reference");
    if (absl::SimpleAtoi(reference.substr(reference.rfind('-') + 1), &number)) numbers.insert(number);
  }
  stored.rows = rows.size();
  if (!numbers.empty()) stored.reference_gaps = static_cast<int>(*numbers.rbegin() - numbers.size());
  return stored;
}

// Every acknowledged request id stored exactly once, as the signal the
// acknowledgement named; nothing stored that no client sent. Returns the
// number of doubles.
int ExpectExactlyOnce(const SignalClients& clients, const StoredSignals& stored) {
  int doubles = 0;
  for (const auto& [request_id, signal_ids] : stored.by_request) {
    if (signal_ids.size() > 1) doubles += static_cast<int>(signal_ids.size()) - 1;
    EXPECT_EQ(signal_ids.size(), 1u) << "request " << request_id << " stored " << signal_ids.size() << " times";
    EXPECT_TRUE(clients.sent.contains(request_id)) << "stored, but no client sent it: " << request_id;
  }
  for (const auto& [request_id, signal_id] : clients.acknowledged) {
    auto it = stored.by_request.find(request_id);
    if (it == stored.by_request.end()) {
      ADD_FAILURE() << "acknowledged but not stored: " << request_id;
      continue;
    }
    EXPECT_EQ(it->second.front(), signal_id) << "the acknowledgement named another signal: " << request_id;
  }
  EXPECT_EQ(static_cast<size_t>(stored.rows), clients.acknowledged.size())
      << "signals stored == distinct request ids acknowledged";
  return doubles;
}

// The attempts' answers by status code, for the figures.
std::string Codes(const std::vector<SignalClients::Attempt>& attempts) {
  std::map<int, int> codes;
  for (const auto& a : attempts) ++codes[a.code];
  std::string out;
  for (const auto& [code, n] : codes) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", absl::StatusCodeToString(static_cast<absl::StatusCode>(code)),
                    " ", n);
  }
  return out;
}

// ---------------------------------------------------------------------------

TEST(FaultTest, KilledIntakeLosesNoAcknowledgedSignalAndDoublesNone) {
  absl::Time started = absl::Now();
  Deployment deployment;
  // Enough reporters at once that intake's group commits hold several
  // signals each: a kill lands in the middle of a batch.
  SignalClients clients(deployment, deployment.intake().address(), 12, "k-");

  // Two crashes of intake in the middle of the submissions.
  absl::Duration down;
  absl::SleepFor(absl::Seconds(2));
  for (int kill = 0; kill < 2; ++kill) {
    int before = clients.acknowledged_count();
    absl::Time killed = absl::Now();
    deployment.StopIntake(SIGKILL);
    absl::SleepFor(absl::Milliseconds(300));
    deployment.StartIntake();
    down += absl::Now() - killed;
    std::printf("[figures] intake killed (SIGKILL) after %d acknowledged; serving again after %.2f s\n", before,
                Seconds(absl::Now() - killed));
    absl::SleepFor(absl::Seconds(3));
  }
  absl::SleepFor(absl::Seconds(1));
  clients.Stop();
  EXPECT_GT(clients.acknowledged.size(), 50u) << "the load ran";

  StoredSignals stored = ReadStoredSignals(deployment);
  int doubles = ExpectExactlyOnce(clients, stored);
  std::printf("[figures] KilledIntake: requests sent %zu, acknowledged %zu (%d replayed), attempts %zu (%s), "
              "retries %d, failed %d; signals stored %d, doubles %d, reference gaps %d; intake down %.2f s; "
              "test %.1f s\n",
              clients.sent.size(), clients.acknowledged.size(), clients.replayed, clients.attempts.size(),
              Codes(clients.attempts).c_str(), clients.retries, clients.failed, stored.rows, doubles,
              stored.reference_gaps, Seconds(down), Seconds(absl::Now() - started));
}

// ---------------------------------------------------------------------------

// Calls that leave a record each, with a trace id per call, to intake
// (ListCategories), cases (ListCases), the directory (ListAreas) and the
// audit service itself (the privacy officer's QueryEvents). A call that
// fails is not repeated: the next one is a new call.
class ReadingClients {
 public:
  ReadingClients(Deployment& deployment, std::string prefix) : deployment_(deployment), prefix_(std::move(prefix)) {
    const std::string reporter =
        deployment.Token(ClaimsFor("bart.boa", "handhaving", "ENFORCEMENT", {"REPORTER"}, {"heerlen-noord"}));
    const std::string coordinator = deployment.Token(
        ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
    const std::string admin = deployment.Token(ClaimsFor("anna.admin", "gemeente", "MUNICIPALITY", {"ADMIN"}, {}));
    const std::string officer = deployment.PrivacyOfficerToken();
    const std::string intake = deployment.intake().address(), cases = deployment.cases().address(),
                      directory = deployment.directory().address(), audit = deployment.audit().address();
    threads_.emplace_back([=, this] {
      Loop("cat-", reporter, "", [&](grpc::ClientContext* call) {
        iv1::ListCategoriesResponse out;
        return iv1::SignalService::NewStub(Channel(intake))->ListCategories(call, {}, &out);
      });
    });
    threads_.emplace_back([=, this] {
      Loop("case-", coordinator, "CASE_MANAGEMENT", [&](grpc::ClientContext* call) {
        cv1::ListCasesResponse out;
        return cv1::CaseService::NewStub(Channel(cases))->ListCases(call, {}, &out);
      });
    });
    threads_.emplace_back([=, this] {
      Loop("dir-", admin, "", [&](grpc::ClientContext* call) {
        dv1::ListAreasResponse out;
        return dv1::DirectoryService::NewStub(Channel(directory))->ListAreas(call, {}, &out);
      });
    });
    threads_.emplace_back([=, this] {
      Loop("officer-", officer, "", [&](grpc::ClientContext* call) {
        av1::QueryEventsRequest query;
        query.set_object_type("category");
        query.set_page_size(1);
        av1::QueryEventsResponse out;
        return av1::AuditService::NewStub(Channel(audit))->QueryEvents(call, query, &out);
      });
    });
  }
  ~ReadingClients() { Stop(); }

  void Stop() {
    stopping_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  std::mutex mutex;
  std::vector<SignalClients::Attempt> attempts;  // every call with its trace id and answer

 private:
  // One channel per address and thread, kept as a client keeps its connection.
  std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
    thread_local std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
    auto& channel = channels[address];
    if (channel == nullptr) channel = deployment_.Channel(address);
    return channel;
  }

  void Loop(const std::string& kind, const std::string& token, const std::string& purpose,
            const std::function<grpc::Status(grpc::ClientContext*)>& rpc) {
    for (int n = 0; !stopping_; ++n) {
      std::string trace = absl::StrCat(prefix_, kind, n);
      auto call = deployment_.Call(token);
      call->AddMetadata("x-request-id", trace);
      if (!purpose.empty()) call->AddMetadata("x-hartslag-purpose", purpose);
      call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
      const absl::Time call_started = absl::Now();
      grpc::Status status = rpc(call.get());
      {
        std::lock_guard<std::mutex> lock(mutex);
        attempts.push_back({trace, status.error_code(), call_started, absl::Now()});
      }
      absl::SleepFor(absl::Milliseconds(status.ok() ? 20 : 50));
    }
  }

  Deployment& deployment_;
  const std::string prefix_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

struct RecordFigures {
  int calls = 0, ok = 0, refused = 0, refused_recorded = 0, delivered = 0, missing = 0, doubled = 0;
  absl::Duration lag;  // from the check's start until every answered call's record was in the log
  std::map<std::string, int> per_kind;
};

// Every call answered OK leaves exactly one record in the log; a call that
// failed (its service was away) at most one; no call two; and the log holds
// no record of a call with `prefix` that was never made.
RecordFigures ExpectEveryRecordOnce(Deployment& deployment, const std::vector<SignalClients::Attempt>& calls,
                                    const std::string& prefix) {
  RecordFigures figures;
  absl::Time start = absl::Now();
  std::map<std::string, int> records;
  bool arrived = Await(
      [&] {
        records = RecordsByTrace(deployment);
        for (const auto& call : calls) {
          if (call.code == grpc::StatusCode::OK && !records.contains(call.trace)) return false;
        }
        return true;
      },
      absl::Seconds(30));
  figures.lag = absl::Now() - start;
  std::set<std::string> made;
  for (const auto& call : calls) {
    made.insert(call.trace);
    ++figures.calls;
    // "a-sub-0-12-a1" -> "sub", "a-cat-7" -> "cat"
    ++figures.per_kind[call.trace.substr(prefix.size(), call.trace.find('-', prefix.size()) - prefix.size())];
    int n = records.contains(call.trace) ? records[call.trace] : 0;
    figures.delivered += n;
    figures.doubled += n > 1;
    if (call.code == grpc::StatusCode::OK) {
      ++figures.ok;
      figures.missing += n == 0;
      EXPECT_EQ(n, 1) << call.trace;
    } else {
      ++figures.refused;
      figures.refused_recorded += n;
      EXPECT_LE(n, 1) << call.trace;
    }
  }
  EXPECT_TRUE(arrived) << figures.missing << " records missing";
  for (const auto& [trace, n] : records) {
    if (trace.rfind(prefix, 0) == 0) {
      EXPECT_TRUE(made.contains(trace)) << "a record of a call never made: " << trace;
    }
  }
  return figures;
}

// The event ids waiting in the four outboxes for the audit log.
std::set<std::string> WaitingForTheLog(Deployment& deployment) {
  std::set<std::string> ids;
  db::Rows rows = Sql(deployment,
                      "SELECT event_id::text AS id FROM intake.outbox WHERE target = 'audit' UNION ALL "
                      "SELECT event_id::text FROM cases.outbox WHERE target = 'audit' UNION ALL "
                      "SELECT event_id::text FROM directory.outbox WHERE target = 'audit' UNION ALL "
                      "SELECT event_id::text FROM audit.outbox WHERE target = 'audit'");
  for (int i = 0; i < rows.size(); ++i) ids.insert(rows.Text(i, "id"));
  return ids;
}

TEST(FaultTest, KilledAuditServiceLosesNoRecord) {
  absl::Time started = absl::Now();
  Deployment deployment;
  ASSERT_TRUE(deployment.directory_store().CreateTenant("heerlen", "Gemeente Heerlen").ok());
  SignalClients writers(deployment, deployment.intake().address(), 1, "a-sub-");
  ReadingClients readers(deployment, "a-");

  // A crash in the middle of appends.
  absl::Duration down;
  absl::SleepFor(absl::Seconds(2));
  absl::Time killed = absl::Now();
  deployment.StopAudit(SIGKILL);
  absl::SleepFor(absl::Seconds(1));
  deployment.StartAudit();
  down += absl::Now() - killed;
  std::printf("[figures] audit service killed (SIGKILL) under load; serving again after %.2f s\n",
              Seconds(absl::Now() - killed));
  absl::SleepFor(absl::Seconds(2));

  // A crash while the relays catch up: down long enough for a backlog, then
  // killed again the moment the log grows, when a relay may have had its
  // batch appended but not yet the answer that lets it delete the batch.
  killed = absl::Now();
  deployment.StopAudit(SIGKILL);
  absl::SleepFor(absl::Seconds(2));
  int64_t size_before = Count(deployment, "SELECT count(*) AS n FROM audit.entries");
  size_t backlog = WaitingForTheLog(deployment).size();
  deployment.StartAudit();
  down += absl::Now() - killed;
  absl::Time restarted = absl::Now();
  bool grew = Await([&] { return Count(deployment, "SELECT count(*) AS n FROM audit.entries") > size_before; },
                    absl::Seconds(15), absl::Milliseconds(1));
  EXPECT_TRUE(grew) << "the relays deliver to the restarted audit service";
  absl::Time killed_again = absl::Now();
  deployment.StopAudit(SIGKILL);
  // Appended to the log but still in a sender's outbox: delivered again
  // after the restart, and the log must not take them twice.
  std::set<std::string> waiting = WaitingForTheLog(deployment);
  db::Rows in_log = Sql(deployment, "SELECT event_id::text AS id FROM audit.entries");
  int appended_not_acknowledged = 0;
  for (int i = 0; i < in_log.size(); ++i) appended_not_acknowledged += waiting.contains(in_log.Text(i, "id"));
  absl::SleepFor(absl::Milliseconds(500));
  deployment.StartAudit();
  down += absl::Now() - killed_again;
  std::printf("[figures] audit service killed (SIGKILL) with a backlog of %zu records, restarted, killed again "
              "%.3f s later as the log grew; %d records were in the log and still in an outbox at that crash\n",
              backlog, Seconds(killed_again - restarted), appended_not_acknowledged);
  absl::SleepFor(absl::Seconds(2));

  // A sender that crashes after the log took its batch but before it could
  // delete the batch from its outbox delivers the batch again when it is
  // back: the log takes each record once. (Intake's outbox is held locked
  // from the moment the audit service comes back, so that its relay's
  // delete waits; intake is killed once the log holds part of that batch.)
  int intake_calls_before = 0;
  {
    std::lock_guard<std::mutex> lock(readers.mutex);
    intake_calls_before = static_cast<int>(readers.attempts.size());
  }
  killed = absl::Now();
  deployment.StopAudit(SIGKILL);
  absl::SleepFor(absl::Seconds(1));
  const std::string appended_but_waiting =
      "SELECT count(*) AS n FROM audit.entries e JOIN intake.outbox o ON o.event_id = e.event_id";
  int64_t redelivered = 0;
  {
    OutboxLock held(deployment.conninfo(), "intake.outbox");
    deployment.StartAudit();
    down += absl::Now() - killed;
    EXPECT_TRUE(Await([&] { return Count(deployment, appended_but_waiting) > 0; }, absl::Seconds(15),
                      absl::Milliseconds(20)))
        << "intake's relay delivers to the restarted audit service";
    deployment.StopIntake(SIGKILL);
    redelivered = Count(deployment, appended_but_waiting);
    held.Release();
  }
  deployment.StartIntake();
  std::printf("[figures] intake killed (SIGKILL) with %lld of its records in the log and still in its outbox "
              "(delivered again after its restart)\n",
              static_cast<long long>(redelivered));
  absl::SleepFor(absl::Seconds(2));
  writers.Stop();
  readers.Stop();

  // Cases and the directory stayed up: every call to them was answered (the
  // audit service's absence is not their callers' problem); so was every
  // call to intake until it was killed.
  std::vector<SignalClients::Attempt> calls = writers.attempts;
  calls.insert(calls.end(), readers.attempts.begin(), readers.attempts.end());
  for (size_t i = 0; i < readers.attempts.size(); ++i) {
    const auto& call = readers.attempts[i];
    bool may_fail = call.trace.rfind("a-officer-", 0) == 0 ||
                    (call.trace.rfind("a-cat-", 0) == 0 && static_cast<int>(i) >= intake_calls_before);
    if (!may_fail) {
      EXPECT_EQ(call.code, grpc::StatusCode::OK) << call.trace;
    }
  }
  RecordFigures records = ExpectEveryRecordOnce(deployment, calls, "a-");

  bool drained = Await([&] { return Pending(deployment) == 0; }, absl::Seconds(30));
  EXPECT_TRUE(drained) << Pending(deployment) << " events still in the outboxes";
  EXPECT_EQ(SetAside(deployment), 0) << "nothing set aside";
  int64_t distinct = Count(deployment, "SELECT count(DISTINCT event_id) AS n FROM audit.entries");
  int64_t entries = Count(deployment, "SELECT count(*) AS n FROM audit.entries");
  EXPECT_EQ(distinct, entries) << "no event twice in the log";
  uint64_t tree_size = ExportAndVerify(deployment);
  EXPECT_GE(tree_size, static_cast<uint64_t>(records.ok));
  EXPECT_TRUE(Await([&] { return Pending(deployment) == 0; }, absl::Seconds(30)))
      << "the privacy officer's own records drain too";

  std::printf("[figures] KilledAuditService: calls %d (SubmitSignal attempts %d, ListCategories %d, ListCases %d, "
              "ListAreas %d, QueryEvents %d), answered OK %d, failed %d (calls to the audit service or intake while "
              "it was down; %d of them recorded); records delivered %d, missing %d, doubled %d, all in %.2f s "
              "after the load; signals acknowledged %zu; log verified at tree size %llu; audit down %.2f s; "
              "test %.1f s\n",
              records.calls, records.per_kind["sub"], records.per_kind["cat"], records.per_kind["case"],
              records.per_kind["dir"], records.per_kind["officer"], records.ok, records.refused,
              records.refused_recorded, records.delivered, records.missing, records.doubled, Seconds(records.lag),
              writers.acknowledged.size(), static_cast<unsigned long long>(tree_size), Seconds(down),
              Seconds(absl::Now() - started));
}

// ---------------------------------------------------------------------------

TEST(FaultTest, KilledCasesServiceLosesNoTriageOutcome) {
  absl::Time started = absl::Now();
  Deployment deployment;
  const std::string coach =
      deployment.Token(ClaimsFor("sanne.coach", "gemeente", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
  const std::string coordinator =
      deployment.Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"vrieheide"}));
  const std::string cases_address = deployment.cases().address();
  auto triage_call = [&] {
    auto call = deployment.Call(coordinator);
    call->AddMetadata("x-hartslag-purpose", "TRIAGE");
    call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return call;
  };

  // The week's signals, and the coordinator's queue that shows them.
  constexpr int kSignals = 120;
  std::vector<std::string> signal_ids;
  auto signals = iv1::SignalService::NewStub(deployment.Channel(deployment.intake()));
  for (int i = 0; i < kSignals; ++i) {
    iv1::SubmitSignalRequest r = testing::SampleSignal("vrieheide");
    r.mutable_location()->mutable_address()->set_house_number(1 + i);
    iv1::SubmitSignalResponse out;
    grpc::Status status = signals->SubmitSignal(deployment.Call(coach).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    signal_ids.push_back(out.signal().signal_id());
  }
  auto cases = cv1::TriageService::NewStub(deployment.Channel(cases_address));
  cv1::GetTriageQueueRequest page_request;
  page_request.set_page_size(50);
  int queued = 0;
  for (;;) {
    cv1::TriageQueue page;
    grpc::Status status = cases->GetTriageQueue(triage_call().get(), page_request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    queued += page.items_size();
    if (page.next_page_token().empty()) break;
    page_request.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(queued, kSignals);

  // Two coordinators' screens weigh them, each its half, with every kind of
  // choice, retrying a decision whose answer did not come.
  auto choice_of = [](int i) {
    const cv1::TriageChoice choices[] = {cv1::TRIAGE_CHOICE_HANDLE_DIRECTLY, cv1::TRIAGE_CHOICE_NO_ACTION,
                                         cv1::TRIAGE_CHOICE_LEEFBAARHEID, cv1::TRIAGE_CHOICE_REFER};
    return choices[i % 4];
  };
  auto expected_status = [](cv1::TriageChoice c) {
    switch (c) {
      case cv1::TRIAGE_CHOICE_NO_ACTION: return iv1::SIGNAL_STATUS_NO_ACTION;
      case cv1::TRIAGE_CHOICE_REFER: return iv1::SIGNAL_STATUS_REFERRED;
      default: return iv1::SIGNAL_STATUS_ACCEPTED;
    }
  };
  std::mutex mutex;
  std::map<std::string, std::string> acknowledged;  // signal id -> decision id
  int retries = 0, failed = 0;
  std::atomic<int> done{0};
  std::vector<std::thread> screens;
  for (int screen = 0; screen < 2; ++screen) {
    screens.emplace_back([&, screen] {
      auto stub = cv1::TriageService::NewStub(deployment.Channel(cases_address));
      for (int i = screen; i < kSignals; i += 2) {
        cv1::TriageSignalRequest r;
        r.set_request_id(RandomUuid());
        r.set_signal_id(signal_ids[i]);
        r.set_choice(choice_of(i));
        if (r.choice() == cv1::TRIAGE_CHOICE_LEEFBAARHEID) r.set_new_case_title(absl::StrCat("Dumping nummer ", i + 1));
        if (r.choice() == cv1::TRIAGE_CHOICE_NO_ACTION) r.set_reason("al opgeruimd door de gemeente");
        if (r.choice() == cv1::TRIAGE_CHOICE_REFER) {
          r.set_refer_to("Woonpunt");
          r.set_reason("huurderszaak");
        }
        absl::Time give_up = absl::Now() + kGiveUp;
        for (;;) {
          cv1::TriageDecision decision;
          grpc::Status status = stub->TriageSignal(triage_call().get(), r, &decision);
          std::unique_lock<std::mutex> lock(mutex);
          if (status.ok()) {
            acknowledged[signal_ids[i]] = decision.decision_id();
            break;
          }
          if (!Retryable(status) || absl::Now() > give_up) {
            ++failed;
            ADD_FAILURE() << "decision on " << signal_ids[i] << " failed for good: " << status.error_code() << " "
                          << status.error_message();
            break;
          }
          ++retries;
          lock.unlock();
          absl::SleepFor(kRetryPause);
          stub = cv1::TriageService::NewStub(deployment.Channel(cases_address));
        }
        ++done;
        absl::SleepFor(absl::Milliseconds(30));
      }
    });
  }
  absl::Cleanup join_screens = [&] {
    for (std::thread& t : screens) {
      if (t.joinable()) t.join();
    }
  };
  // Cases crashes while the decisions come in...
  absl::Duration down;
  while (done < kSignals / 3) absl::SleepFor(absl::Milliseconds(5));
  absl::Time killed = absl::Now();
  int before = done;
  deployment.StopCases(SIGKILL);
  absl::SleepFor(absl::Milliseconds(300));
  deployment.StartCases();
  down += absl::Now() - killed;
  std::printf("[figures] cases killed (SIGKILL) after %d decisions; serving again after %.2f s\n", before,
              Seconds(absl::Now() - killed));

  // ...and again after its relay delivered a batch of outcomes to intake
  // (which was down meanwhile, so that they queued) but before it could
  // delete them from its outbox (held locked meanwhile): back up, it
  // delivers them again, and intake applies each once.
  while (done < kSignals * 2 / 3) absl::SleepFor(absl::Milliseconds(5));
  deployment.StopIntake(SIGKILL);
  absl::SleepFor(absl::Seconds(1));
  int64_t backlog = Count(deployment, "SELECT count(*) AS n FROM cases.outbox WHERE target = 'intake'");
  const std::string applied_but_waiting =
      "SELECT count(*) AS n FROM intake.applied_events a JOIN cases.outbox o ON o.event_id = a.event_id "
      "AND o.target = 'intake'";
  int64_t redelivered = 0;
  {
    OutboxLock held(deployment.conninfo(), "cases.outbox");
    deployment.StartIntake();
    EXPECT_TRUE(Await([&] { return Count(deployment, applied_but_waiting) > 0; }, absl::Seconds(15),
                      absl::Milliseconds(20)))
        << "cases delivers to the restarted intake";
    killed = absl::Now();
    deployment.StopCases(SIGKILL);
    redelivered = Count(deployment, applied_but_waiting);
    held.Release();
  }
  absl::SleepFor(absl::Milliseconds(300));
  deployment.StartCases();
  down += absl::Now() - killed;
  std::printf("[figures] intake down with %lld outcomes waiting; cases killed (SIGKILL) when intake had applied "
              "%lld of them still in its outbox (delivered again after its restart)\n",
              static_cast<long long>(backlog), static_cast<long long>(redelivered));
  std::move(join_screens).Invoke();
  absl::Time decided = absl::Now();

  // Every outcome reaches intake.
  std::map<std::string, std::string> status_of;  // signal id -> status in intake
  bool arrived = Await(
      [&] {
        status_of.clear();
        db::Rows rows = Sql(deployment, "SELECT signal_id::text AS signal_id, status FROM intake.signals");
        int still_new = 0;
        for (int i = 0; i < rows.size(); ++i) {
          status_of[rows.Text(i, "signal_id")] = rows.Text(i, "status");
          still_new += rows.Text(i, "status") == "NEW";
        }
        return still_new == 0 &&
               Count(deployment, "SELECT count(*) AS n FROM cases.outbox WHERE target = 'intake'") == 0;
      },
      absl::Seconds(30));
  absl::Duration lag = absl::Now() - decided;
  EXPECT_TRUE(arrived) << "every outcome reaches intake, and the outbox drains";

  std::map<std::string, std::string> decision_of;  // signal id -> decision id, as cases stored it
  db::Rows rows = Sql(deployment, "SELECT signal_id::text AS signal_id, decision_id::text AS decision_id "
                                  "FROM cases.triage_decisions WHERE tenant_id = 'heerlen'");
  for (int i = 0; i < rows.size(); ++i) {
    EXPECT_TRUE(decision_of.emplace(rows.Text(i, "signal_id"), rows.Text(i, "decision_id")).second)
        << "two decisions on " << rows.Text(i, "signal_id");
  }
  // The outcomes applied (intake also applies the states of the cases the
  // decisions opened).
  std::multiset<std::string> applied;
  db::Rows applied_rows = Sql(deployment, "SELECT event_id::text AS event_id FROM intake.applied_events "
                                          "WHERE event_id IN (SELECT decision_id FROM cases.triage_decisions)");
  for (int i = 0; i < applied_rows.size(); ++i) applied.insert(applied_rows.Text(i, "event_id"));

  int lost = 0, doubled = 0, wrong_status = 0;
  for (const auto& [signal_id, decision_id] : acknowledged) {
    EXPECT_EQ(decision_of[signal_id], decision_id) << "the acknowledged decision is the stored one: " << signal_id;
  }
  for (int i = 0; i < kSignals; ++i) {
    const std::string& id = signal_ids[i];
    ASSERT_TRUE(decision_of.contains(id)) << "no decision stored for " << id;
    size_t n = applied.count(decision_of[id]);
    lost += n == 0;
    doubled += n > 1;
    EXPECT_EQ(n, 1u) << "the outcome of the decision on " << id << " applied " << n << " times";
    std::string want = iv1::SignalStatus_Name(expected_status(choice_of(i))).substr(sizeof("SIGNAL_STATUS_") - 1);
    wrong_status += status_of[id] != want;
    EXPECT_EQ(status_of[id], want) << id;
  }
  EXPECT_EQ(applied.size(), decision_of.size()) << "as many outcomes applied as decisions taken";
  // A retry carries the first attempt's request id and gets its decision,
  // never "weighed already": every decision is acknowledged.
  EXPECT_EQ(acknowledged.size(), static_cast<size_t>(kSignals));
  EXPECT_EQ(Count(deployment, "SELECT count(*) AS n FROM cases.dead_letters"), 0) << "nothing set aside";

  std::printf("[figures] KilledCasesService: signals %d, decisions acknowledged %zu, "
              "retries %d, failed %d; decisions stored %zu, outcomes applied %zu, lost %d, doubled %d, "
              "wrong status %d; "
              "all in intake %.2f s after the last decision; cases down %.2f s; test %.1f s\n",
              kSignals, acknowledged.size(), retries, failed, decision_of.size(),
              applied.size(), lost, doubled, wrong_status, Seconds(lag), Seconds(down),
              Seconds(absl::Now() - started));
}

// ---------------------------------------------------------------------------

TEST(FaultTest, AKilledWatchActionsStreamResumedFromItsCursorMissesNothing) {
  absl::Time started = absl::Now();
  Deployment deployment;
  const std::string coordinator =
      deployment.Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
  const std::string police = deployment.Token(ClaimsFor("bvh.koppeling", "politie", "POLICE", {"PARTNER"}, {}));
  const std::string cases_address = deployment.cases().address();
  auto call_as = [&](const std::string& token, const std::string& purpose) {
    auto call = deployment.Call(token);
    call->AddMetadata("x-hartslag-purpose", purpose);
    return call;
  };
  cv1::Case household;
  {
    auto cases = cv1::CaseService::NewStub(deployment.Channel(cases_address));
    grpc::Status opened = cases->OpenCase(call_as(coordinator, "CASE_MANAGEMENT").get(), testing::SampleHousehold(),
                                          &household);
    ASSERT_TRUE(opened.ok()) << opened.error_message();
  }

  // The police system follows its actions from the beginning and, whenever
  // the stream breaks, reconnects with the cursor of the last event it
  // processed.
  struct Received {
    std::string cursor, change, action_id;
  };
  std::mutex mutex;
  std::vector<Received> received;
  std::atomic<bool> stop_watching{false};
  std::atomic<int> connections{0};
  std::map<std::string, int> endings;  // how streams ended, by status
  std::shared_ptr<grpc::ClientContext> live;  // the open stream's call, to cancel it at the end
  std::thread watcher([&] {
    while (!stop_watching) {
      auto stub = cv1::ActionService::NewStub(deployment.Channel(cases_address, "politie-bvh"));
      std::shared_ptr<grpc::ClientContext> call = call_as(police, "ACTION_EXECUTION");
      call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
      cv1::WatchActionsRequest request;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (received.empty()) request.set_from_beginning(true);
        else request.set_cursor(received.back().cursor);
        live = call;
      }
      if (stop_watching) break;
      ++connections;
      auto stream = stub->WatchActions(call.get(), request);
      cv1::ActionEvent e;
      while (stream->Read(&e)) {
        std::lock_guard<std::mutex> lock(mutex);
        received.push_back({e.cursor(), cv1::ActionEvent::Change_Name(e.change()), e.action().action_id()});
      }
      grpc::Status ended = stream->Finish();
      {
        std::lock_guard<std::mutex> lock(mutex);
        std::string why = ended.error_message().substr(0, ended.error_message().find(';'));
        ++endings[absl::StrCat(ended.error_code(), " ", why)];
        live.reset();
      }
      if (!stop_watching) absl::SleepFor(kRetryPause);
    }
  });
  auto received_count = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return received.size();
  };

  // The coordinator gives the police actions, one after another. A
  // CreateAction whose answer does not come is not repeated (it has no
  // request id to make a repeat safe); the next one is a new action.
  std::atomic<bool> stop_creating{false};
  std::atomic<int> created{0}, unanswered{0};
  std::set<std::string> acknowledged_actions;
  std::thread coordinator_screen([&] {
    auto stub = cv1::ActionService::NewStub(deployment.Channel(cases_address));
    for (int n = 1; !stop_creating; ++n) {
      cv1::CreateActionRequest r;
      r.set_request_id(RandomUuid());
      r.set_case_id(household.case_id());
      r.set_description(absl::StrCat(n, ": adrescontrole"));
      r.add_organisation_ids(n % 5 == 0 ? "buurtteam" : "politie");  // some are not the police's
      r.set_due_date("2099-01-01");
      cv1::Action action;
      auto call = call_as(coordinator, "CASE_MANAGEMENT");
      call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
      grpc::Status status = stub->CreateAction(call.get(), r, &action);
      if (status.ok()) {
        std::lock_guard<std::mutex> lock(mutex);
        acknowledged_actions.insert(action.action_id());
        ++created;
      } else {
        EXPECT_TRUE(Retryable(status)) << status.error_code() << " " << status.error_message();
        ++unanswered;
        absl::SleepFor(kRetryPause);
        stub = cv1::ActionService::NewStub(deployment.Channel(cases_address));
      }
      absl::SleepFor(absl::Milliseconds(40));
    }
  });
  // However the test ends, the clients stop first.
  absl::Cleanup stop_clients = [&] {
    stop_creating = true;
    stop_watching = true;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (live) live->TryCancel();
    }
    if (coordinator_screen.joinable()) coordinator_screen.join();
    if (watcher.joinable()) watcher.join();
  };

  // Cases crashes mid-stream; while it is down another instance (here: the
  // store, straight into the database) gives actions too: a few the first
  // time, more than a page of the stream (100) the second, and cases is
  // killed a third time while the stream delivers those.
  int direct = 0;
  absl::Duration down;
  auto give_directly = [&](int count, const std::string& label) {
    for (int i = 0; i < count; ++i) {
      cv1::Action action;
      action.set_action_id(RandomUuid());
      action.set_case_id(household.case_id());
      action.set_description(absl::StrCat("andere instantie ", label, "-", i));
      action.add_organisation_ids("politie");
      action.set_due_date("2099-01-01");
      action.set_status(cv1::ACTION_STATUS_OPEN);
      RequestContext as;
      as.tenant = "heerlen";
      as.user = "carla.coordinator";
      absl::Status stored = deployment.SeedAction(as, action);
      ASSERT_TRUE(stored.ok()) << stored;
      ++direct;
    }
  };
  auto crash = [&](int kill, int written_meanwhile) {
    absl::Time killed = absl::Now();
    size_t before = received_count();
    deployment.StopCases(SIGKILL);
    give_directly(written_meanwhile, absl::StrCat(kill));
    absl::SleepFor(absl::Milliseconds(300));
    deployment.StartCases();
    down += absl::Now() - killed;
    std::printf("[figures] cases killed (SIGKILL) with %zu events received; %d actions given by another instance "
                "meanwhile; serving again after %.2f s\n",
                before, written_meanwhile, Seconds(absl::Now() - killed));
  };
  ASSERT_TRUE(Await([&] { return received_count() >= 15; }, absl::Seconds(20))) << "the stream delivers";
  crash(1, 3);
  ASSERT_TRUE(Await([&] { return received_count() >= 30; }, absl::Seconds(20))) << "the stream delivers";
  crash(2, 150);
  size_t after_second = received_count();
  ASSERT_TRUE(Await([&] { return received_count() >= after_second + 50; }, absl::Seconds(20), absl::Milliseconds(1)))
      << "the stream delivers the backlog";
  crash(3, 0);
  // One change of an action, not a creation, after the restarts.
  ASSERT_TRUE(Await([&] { return created >= 60; }, absl::Seconds(20)));
  stop_creating = true;
  coordinator_screen.join();
  std::string first_police_action;
  {
    db::Rows first = Sql(deployment,
                         "SELECT action_id::text AS action_id FROM cases.action_changes "
                         "WHERE tenant_id = 'heerlen' AND 'politie' = ANY(organisations) ORDER BY seq LIMIT 1");
    ASSERT_EQ(first.size(), 1);
    first_police_action = first.Text(0, "action_id");
    cv1::UpdateActionRequest start;
    start.set_action_id(first_police_action);
    start.set_status(cv1::ACTION_STATUS_IN_PROGRESS);
    cv1::Action updated;
    auto police_system = cv1::ActionService::NewStub(deployment.Channel(cases_address, "politie-bvh"));
    grpc::Status status = police_system->UpdateAction(call_as(police, "ACTION_EXECUTION").get(), start, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // What the stream owes the police: every change of their actions, in
  // the feed's order.
  db::Rows feed = Sql(deployment, "SELECT seq, change, action_id::text AS action_id FROM cases.action_changes "
                                  "WHERE tenant_id = 'heerlen' AND 'politie' = ANY(organisations) ORDER BY seq");
  std::vector<std::string> owed;
  for (int i = 0; i < feed.size(); ++i) {
    owed.push_back(absl::StrCat("CHANGE_", feed.Text(i, "change"), " ", feed.Text(i, "action_id")));
  }
  bool caught_up = Await([&] { return received_count() >= owed.size(); }, absl::Seconds(20));
  absl::SleepFor(absl::Milliseconds(1500));  // anything doubled would come now
  stop_watching = true;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (live) live->TryCancel();
  }
  watcher.join();
  EXPECT_TRUE(caught_up);

  std::vector<std::string> got;
  std::set<std::string> seen;
  int doubled = 0;
  int64_t last_cursor = 0;
  for (const Received& r : received) {
    std::string line = absl::StrCat(r.change, " ", r.action_id);
    doubled += !seen.insert(line).second;
    got.push_back(line);
    int64_t cursor = 0;
    EXPECT_TRUE(absl::SimpleAtoi(r.cursor, &cursor)) << r.cursor;
    EXPECT_GT(cursor, last_cursor) << "cursors only go forward";
    last_cursor = cursor;
  }
  EXPECT_EQ(got, owed) << "every change exactly once, in order";
  int missing = 0;
  for (const std::string& line : owed) missing += !seen.contains(line);
  {
    db::Rows all = Sql(deployment, "SELECT action_id::text AS action_id FROM cases.actions");
    std::set<std::string> stored;
    for (int i = 0; i < all.size(); ++i) stored.insert(all.Text(i, "action_id"));
    for (const std::string& id : acknowledged_actions) {
      EXPECT_TRUE(stored.contains(id)) << "acknowledged, not stored: " << id;
    }
  }
  int unanswered_stored = Count(deployment, "SELECT count(*) AS n FROM cases.actions") - created - direct;

  std::string how_ended;
  for (const auto& [why, n] : endings) absl::StrAppend(&how_ended, how_ended.empty() ? "" : "; ", n, "x ", why);
  std::printf("[figures] WatchActions: actions acknowledged %d, unanswered %d (of which stored anyway %d), written by "
              "another instance %d; changes owed to the police %zu, received %zu, missing %d, doubled %d; "
              "connections %d (ended: %s); cases down %.2f s; test %.1f s\n",
              created.load(), unanswered.load(), unanswered_stored, direct, owed.size(), got.size(), missing, doubled,
              connections.load(), how_ended.c_str(), Seconds(down), Seconds(absl::Now() - started));
}

// A partner system that follows its actions "from now on" (no cursor, no
// from_beginning), as `hartslag action watch --cursor-file F` does on its
// first run, and whose stream is cut off by a crash of cases before its first
// event: what it is given after it started watching, during the outage and
// right after, must still reach it once it is connected again. (Its only
// position is the present it started at, which the stream does not tell it.)
TEST(FaultTest, AWatchFromNowOnCutOffBeforeItsFirstEventMissesNothingGivenAfterItStarted) {
  absl::Time started = absl::Now();
  Deployment deployment;
  const std::string coordinator =
      deployment.Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
  const std::string cases_address = deployment.cases().address();
  auto coordinator_call = [&] {
    auto call = deployment.Call(coordinator);
    call->AddMetadata("x-hartslag-purpose", "CASE_MANAGEMENT");
    return call;
  };
  cv1::Case household;
  ASSERT_TRUE(cv1::CaseService::NewStub(deployment.Channel(cases_address))
                  ->OpenCase(coordinator_call().get(), testing::SampleHousehold(), &household)
                  .ok());
  const std::string dir = "/tmp/hartslag-fault-watch-" + HexEncode(RandomBytes(4));
  std::filesystem::create_directories(dir);
  absl::Cleanup remove_dir = [&] { std::filesystem::remove_all(dir); };
  std::ofstream(dir + "/token") << deployment.Token(ClaimsFor("bvh.koppeling", "politie", "POLICE", {"PARTNER"}, {}));

  testing::CliRun run;
  std::thread cli([&] {
    run = testing::Cli(absl::StrCat("action watch --server ", cases_address, " --ca ", testing::CertsDir(),
                                    "/ca.pem --token-file ", dir, "/token --purpose ACTION_EXECUTION --cursor-file ",
                                    dir, "/cursor --count 4 --for 40s"));
  });
  absl::Cleanup join_cli = [&] { cli.join(); };
  // A stream is open once its opening is on the record.
  auto streams_opened = [&] {
    int opened = 0;
    db::Rows rows = Sql(deployment, "SELECT entry FROM audit.entries WHERE log_id = 'heerlen'");
    for (int i = 0; i < rows.size(); ++i) {
      av1::AuditEvent e;
      opened += e.ParseFromString(rows.Bytes(i, "entry")) && e.actor().user_id() == "bvh.koppeling" &&
                e.origin().rpc() == "WatchActions" && e.object().id().empty();
    }
    return opened;
  };
  ASSERT_TRUE(Await([&] { return streams_opened() >= 1; }, absl::Seconds(10), absl::Milliseconds(50)))
      << "the watch started";
  absl::Time watching = absl::Now();

  // Cases crashes before anything happened for the police; meanwhile
  // another instance gives them an action, and right after the restart the
  // coordinator gives two more.
  deployment.StopCases(SIGKILL);
  absl::Time killed = absl::Now();
  cv1::Action action;
  action.set_action_id(RandomUuid());
  action.set_case_id(household.case_id());
  action.set_description("1: tijdens de storing gegeven");
  action.add_organisation_ids("politie");
  action.set_due_date("2099-01-01");
  action.set_status(cv1::ACTION_STATUS_OPEN);
  RequestContext as;
  as.tenant = "heerlen";
  as.user = "carla.coordinator";
  ASSERT_TRUE(deployment.SeedAction(as, action).ok());
  absl::SleepFor(absl::Milliseconds(300));
  deployment.StartCases();
  auto cases = cv1::ActionService::NewStub(deployment.Channel(cases_address));
  auto give = [&](const std::string& description) {
    cv1::CreateActionRequest r;
    r.set_request_id(RandomUuid());
    r.set_case_id(household.case_id());
    r.set_description(description);
    r.add_organisation_ids("politie");
    r.set_due_date("2099-01-01");
    cv1::Action created;
    grpc::Status status = cases->CreateAction(coordinator_call().get(), r, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
  };
  give("2: direct na de herstart");
  give("3: daarna");
  // Once the watch is connected again, one more: this one it sees.
  bool reconnected = Await([&] { return streams_opened() >= 2; }, absl::Seconds(35), absl::Milliseconds(100));
  absl::Duration reconnect = absl::Now() - killed;
  EXPECT_TRUE(reconnected) << "the watch connects again after the restart";
  give("4: na het herstel van de verbinding");
  std::move(join_cli).Invoke();

  std::vector<std::string> missing;
  const std::vector<std::string> given = {"1: tijdens de storing gegeven", "2: direct na de herstart", "3: daarna",
                                          "4: na het herstel van de verbinding"};
  for (const std::string& description : given) {
    if (run.output.find(description) == std::string::npos) missing.push_back("\"" + description + "\"");
  }
  EXPECT_TRUE(missing.empty()) << "given after the watch started, never delivered: " << absl::StrJoin(missing, ", ")
                               << "\n" << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  int received = static_cast<int>(given.size() - missing.size());
  std::printf("[figures] WatchFromNowOn: stream open %.1f s after the test started; connected again %.1f s after "
              "the kill; actions given after it started %zu, delivered %d; test %.1f s\n",
              Seconds(watching - started), Seconds(reconnect), given.size(), received,
              Seconds(absl::Now() - started));
}

// ---------------------------------------------------------------------------

// A PostgreSQL cluster of this test's own (tools/pg-cluster.sh, as the test
// run's fixture makes one), so that killing it touches no other test. While
// it lives, HARTSLAG_TEST_STATE points at a state folder whose conninfo is
// this cluster's and whose certificates are the test run's, so a Deployment
// made meanwhile runs on it.
// Points HARTSLAG_TEST_STATE at `dir`/state, whose conninfo is `conninfo`
// and whose certificates are the test run's, so that a Deployment made
// meanwhile runs on that cluster. Returns the state folder it replaced.
std::string UseClusterInTests(const std::string& dir, const std::string& conninfo) {
  const char* state = std::getenv("HARTSLAG_TEST_STATE");
  if (state == nullptr) throw std::runtime_error("HARTSLAG_TEST_STATE is not set; run through ctest");
  std::string shared_state = state;
  std::filesystem::create_directories(dir + "/state");
  std::ofstream(dir + "/state/conninfo") << conninfo << "\n";
  for (const char* link : {"certs", "foreign"}) {
    std::filesystem::create_directory_symlink(shared_state + "/" + link, dir + "/state/" + link);
  }
  setenv("HARTSLAG_TEST_STATE", (dir + "/state").c_str(), 1);
  return shared_state;
}

// A folder of this test's own that the postgres user can reach.
std::string MakeClusterDir(const char* name) {
  std::string dir_template = absl::StrCat("/tmp/", name, ".XXXXXX");
  if (mkdtemp(dir_template.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  std::filesystem::permissions(dir_template, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                                 std::filesystem::perms::group_exec |
                                                 std::filesystem::perms::others_read |
                                                 std::filesystem::perms::others_exec);
  return dir_template;
}

class PrivateCluster {
 public:
  PrivateCluster() {
    // The postmaster is a daemon: made our child when its starter exits, so
    // that a killed one can be reaped (and pg_ctl sees it is gone).
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    script_ = (std::filesystem::path(__FILE__).parent_path().parent_path() / "tools" / "pg-cluster.sh").string();
    dir_ = MakeClusterDir("hartslag-faultpg");
    port_ = testing::FreePort();
    shared_state_ = UseClusterInTests(dir_, Start());
  }

  ~PrivateCluster() {
    setenv("HARTSLAG_TEST_STATE", shared_state_.c_str(), 1);
    pid_t postmaster = Postmaster();
    Shell(absl::StrCat(script_, " stop ", dir_, "/pg"));
    Reap({postmaster});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static bool Available() {
    return std::filesystem::exists("/usr/lib/postgresql/15/bin/pg_ctl") &&
           std::filesystem::exists(std::filesystem::path(__FILE__).parent_path().parent_path() / "tools" /
                                   "pg-cluster.sh");
  }

  // Starts (again) on the same port, recovering after a crash; returns the conninfo.
  std::string Start() {
    std::string conninfo = Shell(absl::StrCat(script_, " start ", dir_, "/pg ", port_));
    if (conninfo.find("port=") == std::string::npos) throw std::runtime_error("cluster did not start: " + conninfo);
    return std::string(absl::StripAsciiWhitespace(conninfo));
  }

  // SIGKILL to the postmaster and every process of the cluster at once: a
  // crash, with no shutdown checkpoint. Returns how many processes it killed.
  int Kill() {
    pid_t postmaster = Postmaster();
    if (postmaster <= 0) return 0;
    std::vector<pid_t> processes = {postmaster};
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      int pid = 0;
      if (!absl::SimpleAtoi(entry.path().filename().string(), &pid)) continue;
      std::ifstream in(entry.path() / "stat");
      std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      size_t close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
      int parent = 0;
      if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &parent) && parent == postmaster) processes.push_back(pid);
    }
    for (pid_t pid : processes) kill(pid, SIGKILL);
    Reap(processes);
    return static_cast<int>(processes.size());
  }

 private:
  pid_t Postmaster() const {
    std::ifstream in(dir_ + "/pg/postmaster.pid");
    int pid = 0;
    in >> pid;
    return pid;
  }

  // Waits (at most 10 s) until each of `pids` is gone, reaping those that
  // are (or became) our children.
  static void Reap(const std::vector<pid_t>& pids) {
    absl::Time give_up = absl::Now() + absl::Seconds(10);
    for (pid_t pid : pids) {
      while (pid > 0 && absl::Now() < give_up) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        if (!in) break;
        absl::SleepFor(absl::Milliseconds(20));
      }
    }
  }

  static std::string Shell(const std::string& command) {
    std::string output;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return output;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
    pclose(pipe);
    return output;
  }

  std::string script_, dir_, shared_state_;
  int port_ = 0;
};

// A load balancer must know: while the database does not answer, every
// service's health check says NOT_SERVING, and SERVING once it answers again.
TEST(FaultTest, HealthIsNotServingWhileTheDatabaseIsAway) {
  if (!PrivateCluster::Available()) GTEST_SKIP() << "needs PostgreSQL 15 and tools/pg-cluster.sh";
  PrivateCluster cluster;
  Deployment deployment;
  std::vector<std::pair<std::string, std::shared_ptr<grpc::Channel>>> services = {
      {"audit", deployment.Channel(deployment.audit())},
      {"directory", deployment.Channel(deployment.directory())},
      {"intake", deployment.Channel(deployment.intake())},
      {"cases", deployment.Channel(deployment.cases())}};
  auto all_are = [&](const std::string& expected) {
    for (const auto& [name, channel] : services) {
      if (testing::HealthOf(channel) != expected) return false;
    }
    return true;
  };
  EXPECT_TRUE(Await([&] { return all_are("SERVING"); }, absl::Seconds(10)));
  cluster.Kill();
  EXPECT_TRUE(Await([&] { return all_are("NOT_SERVING"); }, absl::Seconds(20)));
  for (const auto& [name, channel] : services) EXPECT_EQ(testing::HealthOf(channel), "NOT_SERVING") << name;
  cluster.Start();
  EXPECT_TRUE(Await([&] { return all_are("SERVING"); }, absl::Seconds(30)));
  for (const auto& [name, channel] : services) EXPECT_EQ(testing::HealthOf(channel), "SERVING") << name;
}

TEST(FaultTest, KilledPostgresLosesNoAcknowledgedSignalAndNoRecord) {
  if (!PrivateCluster::Available()) GTEST_SKIP() << "needs PostgreSQL 15 and tools/pg-cluster.sh";
  absl::Time started = absl::Now();
  PrivateCluster cluster;
  absl::Duration setup;
  {
    Deployment deployment;
    setup = absl::Now() - started;
    ASSERT_TRUE(deployment.directory_store().CreateTenant("heerlen", "Gemeente Heerlen").ok());
    SignalClients writers(deployment, deployment.intake().address(), 2, "p-sub-");
    ReadingClients readers(deployment, "p-");

    // PostgreSQL crashes twice under the load; the services find it again
    // by themselves.
    absl::Duration down, recovery;
    absl::SleepFor(absl::Seconds(2));
    for (int kill = 0; kill < 2; ++kill) {
      absl::Time killed = absl::Now();
      int before = writers.acknowledged_count();
      int processes = cluster.Kill();
      absl::SleepFor(absl::Seconds(1));
      cluster.Start();  // crash recovery
      absl::Time back = absl::Now();
      down += back - killed;
      int at_restart = writers.acknowledged_count();
      bool recovered = Await([&] { return writers.acknowledged_count() > at_restart + 20; }, absl::Seconds(30));
      EXPECT_TRUE(recovered) << "submissions are acknowledged again after the database is back";
      recovery = std::max(recovery, absl::Now() - back);
      std::printf("[figures] PostgreSQL killed (SIGKILL to %d processes) after %d acknowledged; accepting "
                  "connections again after %.2f s; 20 more submissions acknowledged %.2f s later\n",
                  processes, before, Seconds(back - killed), Seconds(absl::Now() - back));
      absl::SleepFor(absl::Seconds(1.5));
    }
    writers.Stop();
    readers.Stop();

    StoredSignals stored = ReadStoredSignals(deployment);
    int signal_doubles = ExpectExactlyOnce(writers, stored);

    // Every service answers again: each kind of call ended answered.
    std::map<std::string, grpc::StatusCode> last;
    for (const auto& call : readers.attempts) last[call.trace.substr(0, call.trace.rfind('-'))] = call.code;
    for (const auto& [kind, code] : last) EXPECT_EQ(code, grpc::StatusCode::OK) << "the last " << kind << " call";

    std::vector<SignalClients::Attempt> calls = writers.attempts;
    calls.insert(calls.end(), readers.attempts.begin(), readers.attempts.end());
    RecordFigures records = ExpectEveryRecordOnce(deployment, calls, "p-");
    bool drained = Await([&] { return Pending(deployment) == 0; }, absl::Seconds(30));
    EXPECT_TRUE(drained) << Pending(deployment) << " events still in the outboxes";
    EXPECT_EQ(SetAside(deployment), 0) << "nothing set aside";
    uint64_t tree_size = ExportAndVerify(deployment);
    EXPECT_GE(tree_size, static_cast<uint64_t>(records.ok));

    std::printf("[figures] KilledPostgres: requests sent %zu, acknowledged %zu (%d replayed), retries %d, failed %d; "
                "signals stored %d, doubles %d, reference gaps %d; calls %d (SubmitSignal attempts %d, "
                "ListCategories %d, ListCases %d, ListAreas %d, QueryEvents %d): OK %d, refused %d (%s), of which "
                "recorded %d; records missing %d, doubled %d, all in %.2f s after the load; log verified at tree "
                "size %llu; database down %.2f s in all, slowest recovery %.2f s; deployment up in %.1f s; "
                "test %.1f s\n",
                writers.sent.size(), writers.acknowledged.size(), writers.replayed, writers.retries, writers.failed,
                stored.rows, signal_doubles, stored.reference_gaps, records.calls, records.per_kind["sub"],
                records.per_kind["cat"], records.per_kind["case"], records.per_kind["dir"],
                records.per_kind["officer"], records.ok, records.refused, Codes(calls).c_str(),
                records.refused_recorded, records.missing, records.doubled, Seconds(records.lag),
                static_cast<unsigned long long>(tree_size), Seconds(down), Seconds(recovery), Seconds(setup),
                Seconds(absl::Now() - started));
  }
}

// ---------------------------------------------------------------------------

// One call tried until it is answered: again (after a pause, on a new
// connection) while the answer is UNAVAILABLE or DEADLINE_EXCEEDED, for at
// most kGiveUp. Returns the last answer and the attempts it took.
std::pair<grpc::Status, int> UntilAnswered(const std::function<grpc::Status(int attempt)>& call) {
  absl::Time give_up = absl::Now() + kGiveUp;
  for (int attempt = 1;; ++attempt) {
    grpc::Status status = call(attempt);
    if (!Retryable(status) || absl::Now() > give_up) return {status, attempt};
    absl::SleepFor(kRetryPause);
  }
}

// A coordinator giving actions on one case from a thread of her own, one
// after the other (`pause` apart), each with a request id of its own and
// tried until it is answered.
class ActionClients {
 public:
  ActionClients(Deployment& deployment, const std::string& address, const std::string& token, std::string case_id,
                std::string description, absl::Duration pause)
      : thread_([this, &deployment, address, token, case_id = std::move(case_id),
                 description = std::move(description), pause] {
          auto stub = cv1::ActionService::NewStub(deployment.Channel(address));
          for (int i = 0; !stopping_; ++i) {
            cv1::CreateActionRequest r;
            r.set_request_id(RandomUuid());
            r.set_case_id(case_id);
            r.set_description(absl::StrCat(description, ", ronde ", i));
            r.add_organisation_ids("politie");
            r.set_due_date("2099-01-01");
            cv1::Action action;
            auto [status, attempts] = UntilAnswered([&](int) {
              auto call = deployment.Call(token);
              call->AddMetadata("x-hartslag-purpose", "CASE_MANAGEMENT");
              call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
              return stub->CreateAction(call.get(), r, &action);
            });
            std::lock_guard<std::mutex> lock(mutex_);
            retries += attempts - 1;
            if (status.ok()) {
              acknowledged[r.request_id()] = action.action_id();
            } else {
              ++failed;
              ADD_FAILURE() << "action " << r.request_id() << ": " << status.error_code() << " "
                            << status.error_message();
            }
            absl::SleepFor(pause);
          }
        }) {}
  ~ActionClients() { Stop(); }

  // Lets the thread finish the action it is on, then joins it.
  void Stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  size_t acknowledged_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return acknowledged.size();
  }

  // Read after Stop.
  std::map<std::string, std::string> acknowledged;  // request id -> action id
  int retries = 0, failed = 0;

 private:
  std::mutex mutex_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts once the members above exist
};

// How many times `log` names `what`.
int Mentions(const std::string& log, const std::string& what) {
  int n = 0;
  for (size_t at = log.find(what); at != std::string::npos; at = log.find(what, at + what.size())) ++n;
  return n;
}

// Two instances each of intake and cases behind one address, as a
// deployment scales them; clients spread their calls over both (round
// robin) and go on, retrying what got no answer, when one of each is killed.
TEST(FaultTest, TwoInstancesBehindOneAddressServeOnWhenOneIsKilled) {
  absl::Time started = absl::Now();
  Deployment deployment;
  ASSERT_TRUE(deployment.directory_store().CreateTenant("heerlen", "Gemeente Heerlen").ok());
  std::unique_ptr<testing::ServiceProcess> second_intake = deployment.StartAnotherIntake();
  std::unique_ptr<testing::ServiceProcess> second_cases = deployment.StartAnotherCases();
  auto both = [](const testing::ServiceProcess& a, const testing::ServiceProcess& b) {
    return absl::StrCat("ipv4:127.0.0.1:", a.port(), ",127.0.0.1:", b.port());
  };
  const std::string intake_address = both(deployment.intake(), *second_intake);
  const std::string cases_address = both(deployment.cases(), *second_cases);
  const std::string coordinator =
      deployment.Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"heerlen-noord"}));
  auto coordinator_call = [&] {
    auto call = deployment.Call(coordinator);
    call->AddMetadata("x-hartslag-purpose", "CASE_MANAGEMENT");
    call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return call;
  };
  auto cases = cv1::CaseService::NewStub(deployment.Channel(cases_address));
  cv1::Case household;
  ASSERT_TRUE(cases->OpenCase(coordinator_call().get(), testing::SampleHousehold(), &household).ok());

  SignalClients writers(deployment, intake_address, 2, "rr-sub-");
  ActionClients actors(deployment, cases_address, coordinator, household.case_id(), "Huisbezoek",
                       absl::Milliseconds(20));
  absl::Cleanup join = [&] {
    writers.Stop();
    actors.Stop();
  };

  // Both instances of each take calls...
  absl::SleepFor(absl::Seconds(3));
  const int first_intake_calls = Mentions(deployment.intake().Log(), "SubmitSignal");
  const int second_intake_calls = Mentions(second_intake->Log(), "SubmitSignal");
  const int first_cases_calls = Mentions(deployment.cases().Log(), "CreateAction");
  const int second_cases_calls = Mentions(second_cases->Log(), "CreateAction");
  EXPECT_GT(first_intake_calls, 0);
  EXPECT_GT(second_intake_calls, 0);
  EXPECT_GT(first_cases_calls, 0);
  EXPECT_GT(second_cases_calls, 0);

  // ...and when one of each dies, the other goes on alone.
  const int signals_before = writers.acknowledged_count();
  const size_t actions_before = actors.acknowledged_count();
  second_intake->Stop(SIGKILL);
  second_cases->Stop(SIGKILL);
  const absl::Time killed = absl::Now();
  EXPECT_TRUE(Await(
      [&] {
        return writers.acknowledged_count() > signals_before + 50 && actors.acknowledged_count() > actions_before + 20;
      },
      absl::Seconds(30), absl::Milliseconds(20)))
      << "submissions and actions go on";
  const absl::Duration gap = absl::Now() - killed;
  std::move(join).Invoke();

  StoredSignals stored = ReadStoredSignals(deployment);
  int signal_doubles = ExpectExactlyOnce(writers, stored);
  std::set<std::string> stored_actions;
  db::Rows rows = Sql(deployment, "SELECT action_id::text AS action_id FROM cases.actions WHERE case_id = $1",
                      {household.case_id()});
  for (int i = 0; i < rows.size(); ++i) stored_actions.insert(rows.Text(i, "action_id"));
  for (const auto& [request_id, action_id] : actors.acknowledged) {
    EXPECT_TRUE(stored_actions.contains(action_id)) << action_id;
  }
  EXPECT_EQ(stored_actions.size(), actors.acknowledged.size()) << "no action stored twice or unacknowledged";
  EXPECT_EQ(actors.failed, 0);

  std::printf("[figures] TwoInstances: before the kill SubmitSignal %d + %d, CreateAction %d + %d calls on the two "
              "instances; one of each killed (SIGKILL); 50 more signals and 20 more actions acknowledged %.2f s "
              "later; acknowledged: signals %zu (retries %d), actions %zu (retries %d); signals stored %d, doubled "
              "%d; actions stored %zu; failed for good %d; test %.1f s\n",
              first_intake_calls, second_intake_calls, first_cases_calls, second_cases_calls, Seconds(gap),
              writers.acknowledged.size(), writers.retries, actors.acknowledged.size(), actors.retries, stored.rows,
              signal_doubles, stored_actions.size(), actors.failed, Seconds(absl::Now() - started));
}

// ---------------------------------------------------------------------------

// Three PostgreSQL nodes under Patroni with synchronous replication and
// their etcd (tools/ha.sh), for this test alone; while it lives, a
// Deployment runs on it through the multi-host connection string that
// production uses (target_session_attrs=read-write).
class HaCluster {
 public:
  HaCluster() {
    dir_ = MakeClusterDir("hartslag-ha");
    // 24 ports from base: above the 20000-32000 that FreePort hands out,
    // below the kernel's ephemeral range.
    std::mt19937 random(std::random_device{}());
    for (int attempt = 0; attempt < 20 && base_ == 0; ++attempt) {
      int base = 32100 + 30 * std::uniform_int_distribution<int>(0, 20)(random);
      bool free = true;
      for (int port = base; port < base + 24 && free; ++port) free = PortIsFree(port);
      if (free) base_ = base;
    }
    if (base_ == 0) throw std::runtime_error("no 24 free ports for the HA cluster");
    testing::CliRun started = Script(absl::StrCat("start ", dir_, " ", base_));
    const size_t at = started.output.rfind("host=");
    std::string conninfo =
        at == std::string::npos ? "" : std::string(absl::StripAsciiWhitespace(started.output.substr(at)));
    if (started.exit_code != 0 || conninfo.find("target_session_attrs") == std::string::npos) {
      Script(absl::StrCat("stop ", dir_));
      throw std::runtime_error("the HA cluster did not start: " + started.output);
    }
    shared_state_ = UseClusterInTests(dir_, conninfo);
  }

  ~HaCluster() {
    setenv("HARTSLAG_TEST_STATE", shared_state_.c_str(), 1);
    Script(absl::StrCat("stop ", dir_));
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static bool Available() {
    return std::filesystem::exists("/usr/bin/patroni") && std::filesystem::exists("/usr/bin/etcd") &&
           std::filesystem::exists("/usr/lib/postgresql/15/bin/pg_ctl");
  }

  // SIGKILL to the primary's postmaster; returns the node's name.
  std::string KillPrimary() {
    return std::string(absl::StripAsciiWhitespace(Script(absl::StrCat("kill-primary ", dir_)).output));
  }
  std::string Primary() {
    return std::string(absl::StripAsciiWhitespace(Script(absl::StrCat("primary ", dir_)).output));
  }
  // Whether `node` streams as a replica within `seconds`.
  bool AwaitReplica(const std::string& node, int seconds) {
    return Script(absl::StrCat("wait-replica ", dir_, " ", node, " ", seconds)).exit_code == 0;
  }
  std::string Status() { return Script(absl::StrCat("status ", dir_)).output; }

 private:
  static bool PortIsFree(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    bool bound = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    if (fd >= 0) close(fd);
    return bound;
  }

  static testing::CliRun Script(const std::string& arguments) {
    static const std::string script =
        (std::filesystem::path(__FILE__).parent_path().parent_path() / "tools" / "ha.sh").string();
    return testing::RunShell(absl::StrCat(script, " ", arguments, " 2>&1"));
  }

  std::string dir_, shared_state_;
  int base_ = 0;
};

// The database's primary dies mid-load; Patroni promotes the synchronous
// standby and the services, pointed at all three nodes, find it by
// themselves. Every write they acknowledged is there afterwards, once.
TEST(FaultTest, APatroniFailoverLosesNoAcknowledgedWriteAndDoublesNone) {
  if (!HaCluster::Available()) GTEST_SKIP() << "needs patroni, etcd-server and PostgreSQL 15 (tools/install-deps.sh)";
  absl::Time started = absl::Now();
  HaCluster cluster;
  absl::Duration setup = absl::Now() - started;
  Deployment deployment;
  const std::string coach =
      deployment.Token(ClaimsFor("sanne.coach", "gemeente", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"}));
  const std::string coordinator =
      deployment.Token(ClaimsFor("carla.coordinator", "gemeente", "MUNICIPALITY", {"COORDINATOR"}, {"vrieheide"}));
  auto coordinator_call = [&](const std::string& purpose) {
    auto call = deployment.Call(coordinator);
    call->AddMetadata("x-hartslag-purpose", purpose);
    call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return call;
  };

  // The signals the coordinator weighs during the failover, and the case
  // that the actions go to.
  constexpr int kToWeigh = 80;
  std::vector<std::string> to_weigh;
  auto signals = iv1::SignalService::NewStub(deployment.Channel(deployment.intake()));
  for (int i = 0; i <= kToWeigh; ++i) {
    iv1::SubmitSignalRequest r = testing::SampleSignal("vrieheide");
    r.mutable_location()->mutable_address()->set_house_number(1 + i);
    iv1::SubmitSignalResponse out;
    grpc::Status status = signals->SubmitSignal(deployment.Call(coach).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    to_weigh.push_back(out.signal().signal_id());
  }
  // The coordinator reads the queue (what she weighs she must have seen).
  auto triage = cv1::TriageService::NewStub(deployment.Channel(deployment.cases()));
  ASSERT_TRUE(Await(
      [&] {
        int queued = 0;
        cv1::GetTriageQueueRequest page_request;
        page_request.set_page_size(50);
        for (;;) {
          cv1::TriageQueue page;
          if (!triage->GetTriageQueue(coordinator_call("TRIAGE").get(), page_request, &page).ok()) return false;
          queued += page.items_size();
          if (page.next_page_token().empty()) return queued == kToWeigh + 1;
          page_request.set_page_token(page.next_page_token());
        }
      },
      absl::Seconds(30)))
      << "the signals reach the triage queue";
  cv1::TriageSignalRequest open_case;
  open_case.set_request_id(RandomUuid());
  open_case.set_signal_id(to_weigh.back());
  open_case.set_choice(cv1::TRIAGE_CHOICE_LEEFBAARHEID);
  open_case.set_new_case_title("Dumping bij de containers");
  cv1::TriageDecision opened;
  {
    grpc::Status status = triage->TriageSignal(coordinator_call("TRIAGE").get(), open_case, &opened);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  to_weigh.pop_back();

  // The load: reporters submitting, the coordinator weighing the week's
  // signals and giving the case's actions, each retrying what got no answer.
  SignalClients writers(deployment, deployment.intake().address(), 2, "ha-sub-");
  std::mutex mutex;
  std::map<std::string, std::string> decisions;  // signal id -> decision id, acknowledged
  int triage_retries = 0, failed = 0;
  std::atomic<bool> stopping{false};
  std::thread weighing([&] {
    auto stub = cv1::TriageService::NewStub(deployment.Channel(deployment.cases()));
    for (size_t i = 0; i < to_weigh.size() && !stopping; ++i) {
      cv1::TriageSignalRequest r;
      r.set_request_id(RandomUuid());
      r.set_signal_id(to_weigh[i]);
      r.set_choice(i % 2 == 0 ? cv1::TRIAGE_CHOICE_HANDLE_DIRECTLY : cv1::TRIAGE_CHOICE_NO_ACTION);
      if (r.choice() == cv1::TRIAGE_CHOICE_NO_ACTION) r.set_reason("al opgeruimd door de gemeente");
      cv1::TriageDecision decision;
      auto [status, attempts] =
          UntilAnswered([&](int) { return stub->TriageSignal(coordinator_call("TRIAGE").get(), r, &decision); });
      std::lock_guard<std::mutex> lock(mutex);
      triage_retries += attempts - 1;
      // A retry carries the same request id: it gets the first decision,
      // never "weighed already".
      if (status.ok()) {
        decisions[to_weigh[i]] = decision.decision_id();
      } else {
        ++failed;
        ADD_FAILURE() << "decision on " << to_weigh[i] << ": " << status.error_code() << " " << status.error_message();
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  });
  ActionClients actors(deployment, deployment.cases().address(), coordinator, opened.case_id(), "Container legen",
                       absl::Milliseconds(50));
  absl::Cleanup join = [&] {
    stopping = true;
    writers.Stop();
    actors.Stop();
    if (weighing.joinable()) weighing.join();
  };

  absl::SleepFor(absl::Seconds(3));
  // From just before ha.sh asks Patroni which node leads and sends SIGKILL:
  // the outage measured below includes the moment that takes.
  const absl::Time killed = absl::Now();
  const std::string old_primary = cluster.KillPrimary();
  const int before = writers.acknowledged_count();
  ASSERT_FALSE(old_primary.empty()) << cluster.Status();
  bool recovered = Await([&] { return writers.acknowledged_count() > before + 20; }, absl::Seconds(60),
                         absl::Milliseconds(20));
  EXPECT_TRUE(recovered) << "submissions are acknowledged again after the failover\n" << cluster.Status();
  absl::SleepFor(absl::Seconds(3));
  std::move(join).Invoke();
  // Writes succeed again at the end of the longest stretch after the kill in
  // which no submission was acknowledged: one that the dying primary still
  // committed does not end the outage early. Also the longest any
  // submission under way took.
  std::vector<absl::Time> acknowledged_at;
  absl::Duration longest;
  for (const SignalClients::Attempt& a : writers.attempts) {
    if (a.code == grpc::StatusCode::OK && a.ended >= killed) acknowledged_at.push_back(a.ended);
    if (a.ended >= killed) longest = std::max(longest, a.ended - a.started);
  }
  std::sort(acknowledged_at.begin(), acknowledged_at.end());
  absl::Duration outage, recovery;
  absl::Time previous = killed;
  for (absl::Time at : acknowledged_at) {
    if (at - previous > outage) {
      outage = at - previous;
      recovery = at - killed;
    }
    previous = at;
  }
  EXPECT_LT(outage, absl::Seconds(30)) << "submissions are acknowledged again within 30 s";
  const std::string new_primary = cluster.Primary();
  EXPECT_NE(new_primary, old_primary);
  const bool rejoined = cluster.AwaitReplica(old_primary, 90);
  EXPECT_TRUE(rejoined) << "the old primary streams again as a replica\n" << cluster.Status();

  // Nothing acknowledged lost, nothing doubled.
  StoredSignals stored = ReadStoredSignals(deployment);
  // The signals to weigh and the one that opened the case came before the load.
  for (const std::string& id : to_weigh) writers.sent.insert(id);
  int signal_doubles = 0;
  {
    db::Rows rows = Sql(deployment, "SELECT request_id, count(*) AS n FROM intake.signals GROUP BY request_id "
                                    "HAVING count(*) > 1");
    signal_doubles = rows.size();
    EXPECT_EQ(rows.size(), 0) << "requests stored twice";
  }
  int signals_lost = 0;
  for (const auto& [request_id, signal_id] : writers.acknowledged) {
    auto it = stored.by_request.find(request_id);
    signals_lost += it == stored.by_request.end();
    EXPECT_TRUE(it != stored.by_request.end() && it->second.front() == signal_id) << "acknowledged: " << request_id;
  }
  std::map<std::string, std::string> decision_of;
  db::Rows decision_rows = Sql(deployment, "SELECT signal_id::text AS signal_id, decision_id::text AS decision_id "
                                           "FROM cases.triage_decisions WHERE tenant_id = 'heerlen'");
  int decisions_doubled = 0, decisions_lost = 0;
  for (int i = 0; i < decision_rows.size(); ++i) {
    decisions_doubled += !decision_of.emplace(decision_rows.Text(i, "signal_id"), decision_rows.Text(i, "decision_id")).second;
  }
  for (const auto& [signal_id, decision_id] : decisions) {
    decisions_lost += decision_of[signal_id] != decision_id;
    EXPECT_EQ(decision_of[signal_id], decision_id) << "the acknowledged decision on " << signal_id;
  }
  EXPECT_EQ(decisions_doubled, 0);
  // Actions: each acknowledged one stored, under the id its answer named;
  // as many actions on the case as requests remembered (a retry that made a
  // second action would leave one more).
  std::set<std::string> stored_actions;
  db::Rows action_rows = Sql(deployment, "SELECT action_id::text AS action_id FROM cases.actions WHERE case_id = $1",
                             {opened.case_id()});
  for (int i = 0; i < action_rows.size(); ++i) stored_actions.insert(action_rows.Text(i, "action_id"));
  const int64_t action_requests =
      Count(deployment, "SELECT count(*) AS n FROM cases.requests WHERE rpc = 'CreateAction'");
  int actions_lost = 0;
  for (const auto& [request_id, action_id] : actors.acknowledged) {
    actions_lost += !stored_actions.contains(action_id);
    EXPECT_TRUE(stored_actions.contains(action_id)) << "acknowledged action " << action_id;
  }
  const int actions_doubled = static_cast<int>(stored_actions.size()) - static_cast<int>(action_requests);
  EXPECT_EQ(actions_doubled, 0) << "actions stored " << stored_actions.size() << ", requests " << action_requests;
  EXPECT_GE(action_requests, static_cast<int64_t>(actors.acknowledged.size()));

  // Every acknowledged submission's audit record arrives, once, and the log
  // verifies; nothing was set aside.
  RecordFigures records = ExpectEveryRecordOnce(deployment, writers.attempts, "ha-");
  EXPECT_TRUE(Await([&] { return Pending(deployment) == 0; }, absl::Seconds(30)))
      << Pending(deployment) << " events still in the outboxes";
  EXPECT_EQ(SetAside(deployment), 0) << "nothing set aside";
  uint64_t tree_size = ExportAndVerify(deployment);

  std::printf("[figures] PatroniFailover: primary %s killed (SIGKILL to its postmaster) after %d submissions; "
              "%s primary; no submission acknowledged for %.2f s, writes back %.2f s after the kill, the longest "
              "submission around it %.2f s; old primary %s as a replica. "
              "Acknowledged: signals %zu (retries %d), decisions %zu (retries %d), "
              "actions %zu (retries %d); lost: signals %d, decisions %d, actions %d; doubled: signals %d, "
              "decisions %d, actions %d; failed for good %d; submission records missing %d, doubled %d; log "
              "verified at tree size %llu; cluster up in %.1f s; test %.1f s\n",
              old_primary.c_str(), before, new_primary.c_str(), Seconds(outage), Seconds(recovery), Seconds(longest),
              rejoined ? "streams again" : "did NOT come back", writers.acknowledged.size(), writers.retries,
              decisions.size(), triage_retries, actors.acknowledged.size(), actors.retries,
              signals_lost, decisions_lost, actions_lost, signal_doubles, decisions_doubled, actions_doubled, failed + actors.failed,
              records.missing, records.doubled, static_cast<unsigned long long>(tree_size), Seconds(setup),
              Seconds(absl::Now() - started));
}

}  // namespace
}  // namespace hartslag
