// The one server bootstrap every Hartslag service uses: TLS from certificate
// files, grpc.health.v1, reflection, keepalive, message size limits, and a
// graceful shutdown (drain, then stop) on SIGTERM or SIGINT.
//
// Every RPC goes through RpcRunner, which for every call, in this order:
// authenticates the bearer token (UNAUTHENTICATED before anything else),
// checks the RPC's access rule, checks the request against the bounds its
// proto declares (request_bounds.h), runs the handler on a worker thread (so slow
// database work never blocks gRPC's own threads), honours the deadline,
// writes the call's audit record, converts absl::Status to grpc::Status and
// writes one log line. A call that a group commit answers (SubmitSignal) may
// instead go from gRPC's thread straight to the batch and be answered from
// the batch's thread (Run's quick form).
#ifndef HARTSLAG_SERVICES_COMMON_SERVER_H_
#define HARTSLAG_SERVICES_COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/feed_stream.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/request_bounds.h"
#include "services/common/status_macros.h"

namespace hartslag {

class RpcRunner;

struct ServerOptions {
  std::string listen;       // host:port; port 0 picks a free one
  std::string tls_cert;     // PEM file: the server's certificate chain
  std::string tls_key;      // PEM file: its private key
  std::string tls_client_ca;  // optional PEM file: verify client certificates against it
  std::string ready_file;   // optional: the bound port is written here once serving
  // Optional: called when shutdown begins, before in-flight calls drain
  // (to end long-lived streams at once).
  std::function<void()> on_shutdown;
  int max_message_bytes = 4 << 20;
  size_t max_grpc_memory_bytes = 128 << 20;
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Optional: records the calls whose request does not parse (gRPC refuses
  // them before any handler runs); see RpcRunner::RefuseUnparseable.
  const RpcRunner* runner = nullptr;
  // Optional: the service's database. The gRPC health check answers
  // NOT_SERVING while it does not answer (asked every `health_interval`), so
  // that a load balancer sends calls elsewhere.
  db::Pool* database = nullptr;
  absl::Duration health_interval = absl::Seconds(2);
};

// Declares the flags every service shares: listen, TLS files, ready file,
// token keys, database and worker count. `prefix` is the environment
// prefix, e.g. "HARTSLAG_INTAKE".
// `default_workers`: a service whose handlers mostly wait (intake's wait
// for a group commit) wants more than the usual 8.
void AddServerFlags(Flags& flags, const std::string& prefix, int default_port, int default_workers = 8);
ServerOptions ServerOptionsFromFlags(const Flags& flags);
// --db, --db-pool-size and --migrations (part of AddServerFlags).
void AddDatabaseFlags(Flags& flags, const std::string& prefix);
// --audit and --audit-ca, for services that deliver audit records.
void AddAuditClientFlags(Flags& flags);
// A channel to another Hartslag service at the address in flag
// `address_flag`: mutual TLS with this service's certificate
// (--service-cert, --service-key) checked against the CA in flag `ca_flag`,
// calls spread round robin over every instance the address names.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ServiceChannel(const Flags& flags, const std::string& address_flag,
                                                              const std::string& ca_flag);
// Opens the pool of --db (--db-pool-size connections) and brings `schema`
// up to date with `migrations`, under the migrations' advisory lock; with
// --migrations=require it only checks that they were all applied.
absl::StatusOr<std::unique_ptr<db::Pool>> OpenServiceDatabase(const Flags& flags,
                                                              absl::string_view schema,
                                                              std::vector<db::Migration> migrations);
// `<program> migrate [--db ...]`: applies the service's migrations and
// returns; what a deployment's migration step runs with a database role that
// may change the schema, so that the serving processes need not.
bool IsMigrateCommand(int argc, char** argv);
absl::Status Migrate(int argc, char** argv, const std::string& program, const std::string& prefix,
                     absl::string_view schema, std::vector<db::Migration> migrations);
// A service binary's exit code for how its run ended: 0 also after --help;
// otherwise 1, with the reason logged.
int ExitCode(const absl::Status& run);
// Builds the token verifier from --jwt-public-keys and --jwt-issuer.
absl::StatusOr<Authenticator> AuthenticatorFromFlags(const Flags& flags);

// FAILED_PRECONDITION when the time-zone database (Debian's tzdata) cannot
// be read: deadlines, meetings and cut-offs are in the tenant's local time,
// and a service that silently counted in UTC would move them by hours.
absl::Status RequireTimeZoneDatabase();

// Runs `services` until SIGTERM or SIGINT, then drains in-flight calls for up
// to the grace period and returns. Refuses to start without the time-zone
// database. Uses mutexes without deadlock detection from then on.
absl::Status RunServer(const ServerOptions& options, const std::vector<grpc::Service*>& services);

// A fixed set of worker threads for request handlers, with a bounded queue
// of calls waiting for one. Thread-safe.
class WorkerPool {
 public:
  // At most `max_queued` calls wait; more are refused (TryPost).
  explicit WorkerPool(int threads, size_t max_queued = 1000);
  ~WorkerPool();  // finishes queued work, then joins
  // Queues `work` whatever the queue holds: for the next step of work
  // already admitted (a stream's), which is bounded by what was admitted.
  void Post(std::function<void()> work);
  // Queues `work` unless `max_queued` calls wait already; then false, and
  // the caller answers RESOURCE_EXHAUSTED instead of letting the queue grow.
  bool TryPost(std::function<void()> work);

 private:
  void Loop();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  const size_t max_queued_;
  std::vector<std::thread> threads_;
};

// Opens a feed stream for an admitted caller: checks the request, fills the
// call's own record, and returns the step.
template <typename Event>
using FeedOpen = std::function<absl::StatusOr<FeedStep<Event>>(const RequestContext&, AuditRecord&)>;

class RpcRunner {
 public:
  RpcRunner(const Authenticator* authenticator, const AccessPolicy* policy, WorkerPool* workers,
            const AuditTrail* audit)
      : authenticator_(authenticator), policy_(policy), workers_(workers), audit_(audit) {}

  // Fills the response and returns its status; writes what the call did
  // into the audit record (audit_trail.h).
  using Handler = std::function<absl::Status(const RequestContext&, AuditRecord&)>;

  // For a call whose request did not parse, which gRPC answers before any
  // handler runs: logs it and, when the caller is authenticated and the RPC
  // is one of this runner's, records it as REJECTED. Returns the status to
  // answer with (INVALID_ARGUMENT saying why) instead of gRPC's bare
  // UNIMPLEMENTED.
  grpc::Status RefuseUnparseable(grpc::ServerContextBase& call, absl::string_view method) const;

  // Serves one unary call of `request`; `handler` fills the response and
  // returns its status.
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* call, std::string rpc,
                                const google::protobuf::Message& request, Handler handler) const;

  // How a call that its quick way took goes on: Finish with its answer, or
  // Continue with a handler that decides it on a worker (RESOURCE_EXHAUSTED
  // when the workers' queue is full, as for any call). Exactly one of
  // them, once, from any thread. Finish writes the call's audit record, and
  // may wait for that write, unless the call is not audited (Ping) or
  // succeeded with its record written already (a batch that stored it with
  // the call's data): a quick way that has neither calls Continue. A call
  // whose Later is let go with neither called (a quick way, or the answer
  // of a batch, that threw) is answered INTERNAL at once and recorded so.
  class Later {
   public:
    virtual ~Later() = default;
    virtual void Finish(absl::Status status) = 0;
    virtual void Continue(Handler handler) = 0;
  };
  // Runs on gRPC's own thread once the caller is admitted and the request is
  // within its bounds, and must not block: takes the call (true) and ends it
  // through `later`, or leaves it to the handler on a worker (false). One
  // that throws has taken the call (it may have queued it first).
  // `caller` and `audit` stay valid until `later` ends the call.
  using QuickWay =
      std::function<bool(const RequestContext& caller, AuditRecord& audit, std::shared_ptr<Later> later)>;

  // Serves one unary call as Run does, but admits the caller on gRPC's
  // thread and offers the call to `quick` before a worker: a call that is
  // answered from a batch (a group commit) then passes no worker on its way
  // in or out. The two thread switches that saves were a fifth of intake's
  // CPU per signal on the 2 cores measured (BENCHMARKS.md, "Submissions
  // that pass no worker").
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* call, std::string rpc,
                                const google::protobuf::Message& request, Handler handler,
                                QuickWay quick) const;

  // Serves one server-streaming call of a feed: admitted and recorded like a
  // unary call (its record says the stream was opened), then every event
  // delivered has a record of its own. Waits for changes on `doorbell`.
  // Runs until the client goes away or the server shuts down.
  template <typename Event>
  grpc::ServerWriteReactor<Event>* Stream(grpc::CallbackServerContext* call, std::string rpc,
                                          const google::protobuf::Message& request, Doorbell* doorbell,
                                          FeedOpen<Event> open) const;

 private:
  // The longest a call (or one step of a stream) may run when its client
  // set no deadline.
  static constexpr absl::Duration kMaxCallDuration = absl::Seconds(30);

  class QuickCall;
  // `work()`'s status, or INTERNAL when it throws (admission, a handler, a
  // stream's opening or one of its steps): the call is answered or the
  // stream ended, and the service goes on instead of ending the process. A
  // call's record, once begun, and a stream opening's then say it failed; a
  // step's own records are not written, nor a record that admission had not
  // begun yet (a throw there is a failed allocation, nothing a caller sends).
  // A template: a std::function would allocate on every call.
  template <typename Work>
  static absl::Status Guarded(const std::string& rpc, const std::string& request_id, Work&& work) {
    try {
      return work();
    } catch (const std::exception&) {
      return Threw(rpc, request_id);
    }
  }
  // Logs that a call's work threw; the status to end it with.
  static absl::Status Threw(const std::string& rpc, const std::string& request_id);
  // The answer to a call no worker was free to take: not audited.
  static void RefuseBusy(grpc::ServerUnaryReactor* reactor, const std::string& rpc,
                         const std::string& request_id, absl::Time started);

  // The call's request id (from x-request-id or new), sent back to the client.
  static std::string Accept(grpc::CallbackServerContext* call);
  // Authenticates the caller, begins the call's audit record, checks the
  // RPC's access rule and then the request's bounds. Fills `context` and
  // `audit` as far as it got.
  absl::Status Admit(grpc::CallbackServerContext* call, const std::string& rpc,
                     const google::protobuf::Message& request, const std::string& request_id,
                     absl::Time deadline, RequestContext& context, AuditRecord& audit) const;
  // Writes the call's audit record into `trail`; a write that failed, or
  // threw, turns success into UNAVAILABLE, since no answer leaves without its
  // record. Given the trail, not the runner: a record that a worker writes
  // after its call was answered (a refusal, a dropped call) may be written
  // after the runner is gone, when the workers finish their queue.
  static absl::Status Conclude(const AuditTrail* trail, const std::string& rpc, const std::string& request_id,
                               AuditRecord& audit, absl::Status status);
  // The one log line of a call.
  static void LogCall(const std::string& rpc, const std::string& request_id, absl::Time started,
                      const RequestContext& context, const absl::Status& status, LogFields fields = {});

  const Authenticator* authenticator_;
  const AccessPolicy* policy_;
  WorkerPool* workers_;
  const AuditTrail* audit_;
};

template <typename Event>
grpc::ServerWriteReactor<Event>* RpcRunner::Stream(grpc::CallbackServerContext* call, std::string rpc,
                                                   const google::protobuf::Message& request, Doorbell* doorbell,
                                                   FeedOpen<Event> open) const {
  absl::Time started = absl::Now();
  auto request_id = std::make_shared<const std::string>(Accept(call));
  auto caller = std::make_shared<RequestContext>();  // filled once, on admission
  auto name = std::make_shared<const std::string>(std::move(rpc));
  using Reactor = FeedReactor<Event>;
  return Reactor::Start(
      workers_, doorbell,
      [this, call, &request, doorbell, request_id, caller, name,
       open = std::move(open)]() -> absl::StatusOr<typename Reactor::Step> {
        AuditRecord audit;
        FeedStep<Event> step;
        absl::Status status = Admit(call, *name, request, *request_id, absl::InfiniteFuture(), *caller, audit);
        if (status.ok()) {
          caller->deadline = absl::Now() + kMaxCallDuration;
          status = Guarded(*name, *request_id, [&] {
            absl::StatusOr<FeedStep<Event>> opened = open(*caller, audit);
            if (opened.ok()) step = *std::move(opened);
            return opened.status();
          });
        }
        RETURN_IF_ERROR(Conclude(audit_, *name, *request_id, audit, status));
        std::string peer = caller->peer_address;
        // The doorbell's change count when the stream last read nothing: no
        // need to read again (and query the database) until it moves.
        auto idle_since = std::make_shared<std::optional<uint64_t>>();
        return [this, caller, name, request_id, peer, doorbell, idle_since,
                step = std::move(step)]() -> absl::StatusOr<std::vector<Event>> {
          if (absl::Now() >= caller->token_expires_at) {
            return absl::UnauthenticatedError("the token expired; resume with a fresh token and the last cursor");
          }
          uint64_t changes = doorbell->changes();
          if (*idle_since == changes) return std::vector<Event>();
          RequestContext now = *caller;
          now.deadline = absl::Now() + kMaxCallDuration;
          const AccessRule& rule = policy_->Rule(*name);
          absl::StatusOr<std::vector<Event>> events;
          absl::Status stepped = Guarded(*name, *request_id, [&] {
            events = step(now, [this, &now, &rule, name, &peer] { return audit_->Begin(now, *name, rule, peer); });
            return events.status();
          });
          if (!stepped.ok()) return stepped;
          if (events->empty()) *idle_since = changes;
          else idle_since->reset();
          return events;
        };
      },
      [started, request_id, caller, name](const absl::Status& status, int64_t written) {
        LogCall(*name, *request_id, started, *caller, status, {{"events", absl::StrCat(written)}});
        return ToGrpcStatus(status, *request_id);
      });
}

// A handler that runs `produce(caller, audit)` (returning
// absl::StatusOr<Response>) and, on success, moves its value into `response`.
template <typename Response, typename Produce>
RpcRunner::Handler Into(Response* response, Produce produce) {
  return [response, produce = std::move(produce)](const RequestContext& caller,
                                                  AuditRecord& audit) -> absl::Status {
    auto produced = produce(caller, audit);
    if (!produced.ok()) return produced.status();
    *response = *std::move(produced);
    return absl::OkStatus();
  };
}

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_SERVER_H_
