// loadgen: loads one Hartslag service the way its clients do (TLS with the
// CA, a bearer token signed with the development token key, a request id
// and a deadline on every call) and prints what came of it.
//
//   loadgen --scenario submit --target localhost:7402 --ca ca.pem --jwt-key jwt.key
//           [--concurrency 64] [--rate 0] [--duration 10s] [--warmup 1s]
//
// Scenarios (--target is the service that answers them):
//   echo           OperationsService.Ping: the transport and the token check, no data
//   submit         SignalService.SubmitSignal as a street coach (intake)
//   get            GetSignal of signals the same reporter submitted first (intake)
//   list           ListSignals of the area as its coordinator (intake)
//   create_action  CreateAction on cases a coordinator opened first (cases)
//   audit_append   AuditService.Append as a service over mutual TLS (--cert, --key),
//                  --batch records per call into --log-tenant's log (audit)
//   proofs         inclusion proofs (checked) and consistency proofs of --log-tenant's
//                  log as its privacy officer, against a fresh tree head (audit)
//   ready          waits until the service's gRPC health says SERVING (for at most
//                  --duration); prints when, in Unix milliseconds
//
// --rate 0 runs a closed loop of --concurrency calls in flight; a rate runs
// an open loop at that many calls per second, latency counted from when each
// call was due (load_driver.h). --calls N ends after N calls (or --duration,
// whichever comes first). Prints a summary on stderr and one JSON object on stdout:
// tps, p50/p90/p99/p999/max_ms, errors by status code, and for audit_append
// eps (records per second), for proofs the log's size. A benchmark: it
// measures and prints; it fails (exit 1) only when its set-up fails, and
// calls that fail are counted, not fatal.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "clients/cpp/health.h"
#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "hartslag/operations/v1/operations.grpc.pb.h"
#include "libs/audit_verify/merkle.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/process.h"
#include "services/common/token.h"
#include "tools/bench/audit_load.h"
#include "tools/bench/load_driver.h"

namespace hartslag::bench {
namespace {

namespace iv1 = intake::v1;
namespace cv1 = cases::v1;
namespace av1 = audit::v1;

// Who calls: the token and, for case data, the purpose.
struct Caller {
  std::string token;
  std::string purpose;
};

// A call under way: its context, request and answer, owned by Calls until
// it ends.
struct PendingCall {
  virtual ~PendingCall() = default;
  grpc::ClientContext context;
};

template <typename Request, typename Response>
struct Pending : PendingCall {
  Request request;
  Response response;
};

// The connections to the service and the calls under way on them.
// Thread-safe.
class Calls {
 public:
  Calls(std::vector<std::shared_ptr<grpc::Channel>> channels, absl::Duration deadline)
      : channels_(std::move(channels)), deadline_(deadline) {}

  const std::vector<std::shared_ptr<grpc::Channel>>& all() const { return channels_; }

  // A new call of `caller` (none: the channel's certificate speaks), with a
  // request id and a deadline; held until Ended.
  template <typename Request, typename Response>
  Pending<Request, Response>* Begin(const Caller* caller) {
    auto pending = std::make_shared<Pending<Request, Response>>();
    grpc::ClientContext& call = pending->context;
    call.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
    call.AddMetadata("x-request-id", RandomUuid());
    if (caller != nullptr) {
      call.AddMetadata("authorization", "Bearer " + caller->token);
      if (!caller->purpose.empty()) call.AddMetadata("x-hartslag-purpose", caller->purpose);
    }
    absl::MutexLock lock(&mu_);
    in_flight_[pending.get()] = pending;
    return pending.get();
  }
  // Lets go of an ended call; it is destroyed now or when CancelAll is done with it.
  void Ended(PendingCall* call) {
    std::shared_ptr<PendingCall> last;
    absl::MutexLock lock(&mu_);
    auto it = in_flight_.find(call);
    last = std::move(it->second);
    in_flight_.erase(it);
  }
  // Cancels every call under way (they end with CANCELLED).
  void CancelAll() {
    std::vector<std::shared_ptr<PendingCall>> calls;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [raw, call] : in_flight_) calls.push_back(call);
    }
    // Not under the lock: a call may end inside TryCancel.
    for (const auto& call : calls) call->context.TryCancel();
  }

 private:
  const std::vector<std::shared_ptr<grpc::Channel>> channels_;
  const absl::Duration deadline_;
  absl::Mutex mu_;
  absl::flat_hash_map<PendingCall*, std::shared_ptr<PendingCall>> in_flight_ ABSL_GUARDED_BY(mu_);
};

// Starts one call of `method` (a stub's async() method, wrapped in a lambda)
// and ends it with `done`; `check` may turn an OK answer into a failure (or
// keep what it needs of it).
template <typename Response, typename Request, typename Method>
void Send(Calls& calls, const Caller* caller, Request request, Method method, CallDone done,
          std::function<grpc::Status(const Response&)> check = nullptr) {
  Pending<Request, Response>* pending = calls.Begin<Request, Response>(caller);
  pending->request = std::move(request);
  method(&pending->context, &pending->request, &pending->response,
         [&calls, pending, done = std::move(done), check = std::move(check)](grpc::Status status) {
           if (status.ok() && check) status = check(pending->response);
           calls.Ended(pending);
           done(status);
         });
}

// One blocking call through Send, for the set-up of a scenario.
template <typename Response, typename Request, typename Method>
grpc::Status SendAndWait(Calls& calls, const Caller* caller, Request request, Method method,
                         std::function<grpc::Status(const Response&)> check = nullptr) {
  absl::Notification finished;
  grpc::Status result;
  Send<Response>(calls, caller, std::move(request), method,
                 [&](const grpc::Status& status) {
                   result = status;
                   finished.Notify();
                 },
                 std::move(check));
  finished.WaitForNotification();
  return result;
}

std::string Sign(const TokenSigner& signer, const Flags& flags, const std::string& tenant, std::string user,
                 std::string organisation, std::string kind, std::string role) {
  TokenClaims claims;
  claims.issuer = flags.Get("jwt-issuer");
  claims.subject = std::move(user);
  claims.tenant = tenant;
  claims.organisation = std::move(organisation);
  claims.organisation_kind = std::move(kind);
  claims.roles = {std::move(role)};
  claims.areas = {flags.Get("areas")};
  claims.issued_at = claims.not_before = absl::Now();
  claims.expires_at = absl::Now() + absl::Hours(2);
  return *signer.Sign(claims);
}

iv1::SubmitSignalRequest Signal(const Flags& flags, uint64_t i) {
  iv1::SubmitSignalRequest r;
  r.set_request_id(RandomUuid());
  r.set_area_id(flags.Get("area"));
  auto* a = r.mutable_location()->mutable_address();
  a->set_street("Vrieheidelaan");
  a->set_house_number(1 + static_cast<int>(i % 200));
  a->set_postcode("6416ab");
  a->set_city("Heerlen");
  r.set_category_id(flags.Get("category"));
  r.set_description("Matrassen en huisraad naast de ondergrondse container.");
  r.set_source(iv1::SOURCE_STREET_COACH);
  return r;
}

std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& target,
                                                     const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                                                     int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    // A connection of its own per channel, as separate clients would have.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("hartslag.bench.channel", i);
    args.SetMaxReceiveMessageSize(8 << 20);
    channels.push_back(grpc::CreateCustomChannel(target, credentials, args));
  }
  return channels;
}

std::string Json(const std::string& scenario, const LoadOptions& options, const LoadResult& r,
                 const std::vector<std::pair<std::string, double>>& extra) {
  std::vector<std::string> errors;
  for (const auto& [code, n] : r.errors) errors.push_back(absl::StrCat("\"", code, "\":", n));
  std::string out = absl::StrFormat(
      "{\"scenario\":\"%s\",\"mode\":\"%s\",\"concurrency\":%d,\"rate\":%.1f,\"seconds\":%.3f,\"calls\":%d,"
      "\"ok\":%d,\"tps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f",
      scenario, options.rate > 0 ? "open" : "closed", options.concurrency, options.rate, r.seconds, r.calls, r.ok,
      r.Throughput(), r.Percentile(0.5), r.Percentile(0.9), r.Percentile(0.99), r.Percentile(0.999),
      r.Percentile(1.0));
  for (const auto& [key, value] : extra) absl::StrAppendFormat(&out, ",\"%s\":%.10g", key, value);
  absl::StrAppend(&out, ",\"errors\":{", absl::StrJoin(errors, ","), "}}");
  return out;
}

// Polls the gRPC health check until it answers SERVING; prints when, in Unix
// milliseconds, so that the caller can subtract the moment it started the
// service.
int WaitReady(const Flags& flags, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  // Started before the service: connect again at once, not after gRPC's
  // usual backoff of a second and more.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 5);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 20);
  auto channel = grpc::CreateCustomChannel(flags.Get("target"), credentials, args);
  absl::Time give_up = absl::Now() + *flags.GetDuration("duration");
  while (absl::Now() < give_up) {
    if (absl::StatusOr<bool> serving = client::IsServing(channel, absl::Milliseconds(500)); serving.ok() && *serving) {
      std::printf("{\"scenario\":\"ready\",\"ready_unix_ms\":%lld}\n",
                  static_cast<long long>(absl::ToUnixMillis(absl::Now())));
      return 0;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  std::fprintf(stderr, "loadgen: %s did not become SERVING\n", flags.Get("target").c_str());
  return 1;
}

int Run(int argc, char** argv) {
  Flags flags("loadgen", "load a Hartslag service as its clients do and measure it");
  flags.Add("scenario", "", "echo", "echo, submit, get, list, create_action, audit_append, proofs or ready");
  flags.Add("target", "", "localhost:7402", "the service's address (host:port, the name in its certificate)");
  flags.Add("ca", "HARTSLAG_CA", ".local/certs/ca.pem", "PEM file of the CA of the service's certificate");
  flags.Add("jwt-key", "", ".local/certs/jwt.key", "the development token signing key (PEM)");
  flags.Add("jwt-issuer", "", "hartslag-dev", "the token issuer the services accept");
  flags.Add("cert", "", "", "audit_append: a service's client certificate (PEM), e.g. intake.pem");
  flags.Add("key", "", "", "audit_append: its private key");
  flags.Add("tenant", "", "heerlen", "the tenant the callers belong to");
  flags.Add("areas", "", "heerlen-noord", "the callers' area (their tokens' areas)");
  flags.Add("area", "", "vrieheide", "the area signals and cases are in");
  flags.Add("category", "", "afval-dumping", "the category of the signals");
  flags.Add("log-tenant", "", "bench-audit", "audit_append, proofs: the tenant whose audit log is used");
  flags.Add("batch", "", "1000", "audit_append: records per Append");
  flags.Add("concurrency", "", "64", "calls in flight (closed loop), or at most (open loop)");
  flags.Add("rate", "", "0", "calls per second for an open loop; 0: closed loop");
  flags.Add("duration", "", "10s", "how long to measure (ready: how long to wait)");
  flags.Add("warmup", "", "1s", "calls ending before this are not counted");
  flags.Add("calls", "", "0", "end after this many calls, or --duration if sooner (no warm-up)");
  flags.Add("deadline", "", "10s", "each call's deadline");
  flags.Add("channels", "", "4", "connections to spread the calls over");
  flags.Add("setup-signals", "", "200", "get: signals submitted first, then read at random");
  flags.Add("setup-cases", "", "16", "create_action: cases opened first, then given actions in turn");
  absl::Status parsed = flags.Parse(argc, argv);
  if (IsHelpRequested(parsed)) return 0;
  auto concurrency = flags.GetInt("concurrency");
  auto calls_flag = flags.GetInt("calls");
  auto channel_count = flags.GetInt("channels");
  auto batch = flags.GetInt("batch");
  auto duration = flags.GetDuration("duration");
  auto warmup = flags.GetDuration("warmup");
  auto deadline = flags.GetDuration("deadline");
  double rate = 0;
  if (parsed.ok() && !absl::SimpleAtod(flags.Get("rate"), &rate)) parsed = absl::InvalidArgumentError("--rate: not a number");
  for (const absl::Status& s : {parsed, concurrency.status(), calls_flag.status(), channel_count.status(),
                                batch.status(), duration.status(), warmup.status(), deadline.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "loadgen: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  auto ca = ReadFile(flags.Get("ca"), "--ca");
  if (!ca.ok()) {
    std::fprintf(stderr, "loadgen: %s\n", std::string(ca.status().message()).c_str());
    return 2;
  }
  const std::string scenario = flags.Get("scenario");
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = *ca;
  if (scenario == "ready") return WaitReady(flags, grpc::SslCredentials(tls));
  if (scenario == "audit_append") {
    auto cert = ReadFile(flags.Get("cert"), "--cert");
    auto key = ReadFile(flags.Get("key"), "--key");
    if (!cert.ok() || !key.ok()) {
      std::fprintf(stderr, "loadgen: audit_append needs --cert and --key (a service's certificate)\n");
      return 2;
    }
    tls.pem_cert_chain = *cert;
    tls.pem_private_key = *key;
  }
  auto signer = TokenSigner::FromPemFile(flags.Get("jwt-key"));
  if (!signer.ok()) {
    std::fprintf(stderr, "loadgen: --jwt-key: %s\n", std::string(signer.status().message()).c_str());
    return 2;
  }
  Calls calls(Channels(flags.Get("target"), grpc::SslCredentials(tls), *channel_count), *deadline);
  const std::string tenant = flags.Get("tenant");
  const Caller coach{Sign(*signer, flags, tenant, "bench.coach", "gemeente-heerlen", "MUNICIPALITY", "REPORTER"), ""};
  const Caller coordinator{
      Sign(*signer, flags, tenant, "bench.coordinator", "gemeente-heerlen", "MUNICIPALITY", "COORDINATOR"),
      "CASE_MANAGEMENT"};
  const Caller officer{Sign(*signer, flags, flags.Get("log-tenant"), "bench.officer", "gemeente", "MUNICIPALITY",
                            "PRIVACY_OFFICER"),
                       ""};

  LoadOptions options;
  options.concurrency = *concurrency;
  options.rate = rate;
  options.duration = *duration;
  options.warmup = *warmup;
  options.max_calls = *calls_flag;
  options.cancel_in_flight = [&calls] { calls.CancelAll(); };
  std::atomic<uint64_t> counter{0};
  std::vector<std::pair<std::string, double>> extra;
  IssueCall issue;
  auto fail = [](const std::string& what, const grpc::Status& status) {
    std::fprintf(stderr, "loadgen: %s: %s\n", what.c_str(), status.error_message().c_str());
    return 1;
  };

  // Set-up state the issuing lambdas read; filled before the load starts.
  std::mutex ids_mutex;
  std::vector<std::string> ids;
  av1::SignedTreeHead head;

  using OpsStub = operations::v1::OperationsService::Stub;
  using SignalStub = iv1::SignalService::Stub;
  std::vector<std::unique_ptr<OpsStub>> ops;
  std::vector<std::unique_ptr<SignalStub>> signals;
  std::vector<std::unique_ptr<cv1::ActionService::Stub>> actions;
  std::vector<std::unique_ptr<av1::AuditService::Stub>> audits;
  for (const auto& channel : calls.all()) {
    ops.push_back(operations::v1::OperationsService::NewStub(channel));
    signals.push_back(iv1::SignalService::NewStub(channel));
    actions.push_back(cv1::ActionService::NewStub(channel));
    audits.push_back(av1::AuditService::NewStub(channel));
  }
  // The stubs in turn, so that calls spread over the connections.
  std::atomic<uint64_t> turn{0};
  auto pick = [&](auto& stubs) { return stubs[turn++ % stubs.size()].get(); };
  auto submit = [&](const Caller& caller, uint64_t i, CallDone done, std::function<grpc::Status(const iv1::SubmitSignalResponse&)> check) {
    SignalStub* stub = pick(signals);
    Send<iv1::SubmitSignalResponse>(
        calls, &caller, Signal(flags, i),
        [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->SubmitSignal(c, q, r, std::move(cb)); },
        std::move(done), std::move(check));
  };

  if (scenario == "echo") {
    issue = [&](CallDone done) {
      OpsStub* stub = pick(ops);
      ++counter;
      Send<operations::v1::PingResponse>(
          calls, &coach, operations::v1::PingRequest(),
          [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->Ping(c, q, r, std::move(cb)); },
          std::move(done));
    };
  } else if (scenario == "submit") {
    issue = [&](CallDone done) { submit(coach, counter++, std::move(done), nullptr); };
  } else if (scenario == "get") {
    LoadOptions setup;
    setup.concurrency = 16;
    setup.max_calls = *flags.GetInt("setup-signals");
    RunLoad(setup, [&](CallDone done) {
      submit(coach, counter++, std::move(done), [&](const iv1::SubmitSignalResponse& r) {
        std::lock_guard<std::mutex> lock(ids_mutex);
        ids.push_back(r.signal().signal_id());
        return grpc::Status::OK;
      });
    });
    if (ids.empty()) return fail("get: no signal could be submitted first", grpc::Status::CANCELLED);
    std::fprintf(stderr, "loadgen: %zu signals submitted to read back\n", ids.size());
    issue = [&](CallDone done) {
      SignalStub* stub = pick(signals);
      iv1::GetSignalRequest q;
      q.set_signal_id(ids[counter++ % ids.size()]);
      Send<iv1::Signal>(
          calls, &coach, std::move(q),
          [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->GetSignal(c, q, r, std::move(cb)); },
          std::move(done));
    };
  } else if (scenario == "list") {
    issue = [&](CallDone done) {
      SignalStub* stub = pick(signals);
      ++counter;
      iv1::ListSignalsRequest q;
      q.set_page_size(50);
      Send<iv1::ListSignalsResponse>(
          calls, &coordinator, std::move(q),
          [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->ListSignals(c, q, r, std::move(cb)); },
          std::move(done));
    };
  } else if (scenario == "create_action") {
    auto cases = cv1::CaseService::NewStub(calls.all()[0]);
    for (int i = 0; i < *flags.GetInt("setup-cases"); ++i) {
      cv1::OpenCaseRequest open;
      open.set_request_id(RandomUuid());
      open.set_kind(cv1::CASE_KIND_LEEFBAARHEID);
      open.set_title(absl::StrCat("Benchmark ", i + 1));
      open.set_area_id(flags.Get("area"));
      open.mutable_address()->set_street("Vrieheidelaan");
      open.mutable_address()->set_house_number(1 + i);
      open.mutable_address()->set_postcode("6416 AB");
      open.mutable_address()->set_city("Heerlen");
      grpc::Status opened = SendAndWait<cv1::Case>(
          calls, &coordinator, std::move(open),
          [&cases](auto* c, auto* q, auto* r, auto cb) { cases->async()->OpenCase(c, q, r, std::move(cb)); },
          std::function<grpc::Status(const cv1::Case&)>([&](const cv1::Case& c) {
            ids.push_back(c.case_id());
            return grpc::Status::OK;
          }));
      if (!opened.ok()) return fail("create_action: OpenCase", opened);
    }
    issue = [&](CallDone done) {
      cv1::ActionService::Stub* stub = pick(actions);
      uint64_t i = counter++;
      cv1::CreateActionRequest q;
      q.set_request_id(RandomUuid());
      q.set_case_id(ids[i % ids.size()]);
      q.set_description(absl::StrCat("Benchmark-actie ", i));
      q.add_organisation_ids("woonpunt");
      q.set_due_date("2099-01-01");
      Send<cv1::Action>(
          calls, &coordinator, std::move(q),
          [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->CreateAction(c, q, r, std::move(cb)); },
          std::move(done));
    };
  } else if (scenario == "audit_append") {
    const std::string log = flags.Get("log-tenant");
    const int per_call = *batch;
    extra.emplace_back("batch", per_call);
    issue = [&, log, per_call](CallDone done) {
      av1::AuditService::Stub* stub = pick(audits);
      uint64_t from = counter.fetch_add(per_call);
      av1::AppendRequest q;
      for (uint64_t n = from; n < from + per_call; ++n) q.add_events(BenchAuditEvent(log, n).SerializeAsString());
      Send<av1::AppendResponse>(
          calls, nullptr, std::move(q),
          [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->Append(c, q, r, std::move(cb)); },
          std::move(done), [](const av1::AppendResponse& r) {
            if (r.refused_size() == 0) return grpc::Status::OK;
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, r.refused(0).reason());
          });
    };
  } else if (scenario == "proofs") {
    auto stub = av1::AuditService::NewStub(calls.all()[0]);
    av1::GetTreeHeadRequest fresh;
    fresh.set_fresh(true);
    grpc::Status got = SendAndWait<av1::SignedTreeHead>(
        calls, &officer, fresh,
        [&stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->GetTreeHead(c, q, r, std::move(cb)); },
        std::function<grpc::Status(const av1::SignedTreeHead&)>([&](const av1::SignedTreeHead& h) {
          head = h;
          return grpc::Status::OK;
        }));
    if (!got.ok()) return fail("proofs: GetTreeHead", got);
    if (head.tree_size() < 2) return fail("proofs", grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the log has fewer than 2 entries"));
    extra.emplace_back("entries", static_cast<double>(head.tree_size()));
    issue = [&](CallDone done) {
      av1::AuditService::Stub* s = pick(audits);
      uint64_t i = counter++;
      thread_local std::mt19937_64 random(std::random_device{}());
      if (i % 2 == 0) {
        av1::GetInclusionProofRequest q;
        q.set_index(random() % head.tree_size());
        q.set_tree_size(head.tree_size());
        Send<av1::InclusionProof>(
            calls, &officer, std::move(q),
            [s](auto* c, auto* q, auto* r, auto cb) { s->async()->GetInclusionProof(c, q, r, std::move(cb)); },
            std::move(done), [&](const av1::InclusionProof& proof) {
              std::vector<std::string> path(proof.audit_path().begin(), proof.audit_path().end());
              if (audit::VerifyInclusion(audit::LeafHash(proof.entry()), proof.index(), head.tree_size(), path,
                                         head.root_hash())) {
                return grpc::Status::OK;
              }
              return grpc::Status(grpc::StatusCode::DATA_LOSS, "the inclusion proof does not verify");
            });
      } else {
        av1::GetConsistencyProofRequest q;
        q.set_old_size(1 + random() % (head.tree_size() - 1));
        q.set_new_size(head.tree_size());
        Send<av1::ConsistencyProof>(
            calls, &officer, std::move(q),
            [s](auto* c, auto* q, auto* r, auto cb) { s->async()->GetConsistencyProof(c, q, r, std::move(cb)); },
            std::move(done));
      }
    };
  } else {
    std::fprintf(stderr, "loadgen: --scenario: unknown scenario %s (see --help)\n", scenario.c_str());
    return 2;
  }

  LoadResult result = RunLoad(options, issue);
  if (scenario == "audit_append") extra.emplace_back("eps", result.Throughput() * *batch);
  std::string errors;
  for (const auto& [code, n] : result.errors) absl::StrAppend(&errors, " ", code, "=", n);
  std::fprintf(stderr,
               "%-14s %-6s c=%-3d %8.1f/s  p50 %7.2f  p90 %7.2f  p99 %7.2f  p99.9 %7.2f  max %7.2f ms  "
               "(%lld calls%s)\n",
               scenario.c_str(), options.rate > 0 ? "open" : "closed", options.concurrency, result.Throughput(),
               result.Percentile(0.5), result.Percentile(0.9), result.Percentile(0.99), result.Percentile(0.999),
               result.Percentile(1.0), static_cast<long long>(result.calls), errors.c_str());
  std::printf("%s\n", Json(scenario, options, result, extra).c_str());
  return 0;
}

}  // namespace
}  // namespace hartslag::bench

int main(int argc, char** argv) {
  // As the services do: the load generator shares the two cores with what
  // it measures.
  hartslag::UseMutexesWithoutDeadlockDetection();
  return hartslag::bench::Run(argc, argv);
}
