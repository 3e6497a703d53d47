// The one server bootstrap every Hartslag service uses: TLS from certificate
// files, grpc.health.v1, reflection, keepalive, message size limits, and a
// graceful shutdown (drain, then stop) on SIGTERM or SIGINT.
//
// Unary RPCs go through RpcRunner, which for every call, in this order:
// authenticates the bearer token (UNAUTHENTICATED before anything else),
// checks the RPC's access rule, runs the handler on a worker thread (so slow
// database work never blocks gRPC's own threads), honours the deadline,
// writes the call's audit record, converts absl::Status to grpc::Status and
// writes one log line.
#ifndef HARTSLAG_SERVICES_COMMON_SERVER_H_
#define HARTSLAG_SERVICES_COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/migrations.h"

namespace hartslag {

// Converts at the gRPC edge. The codes are numerically the same. INTERNAL and
// UNKNOWN lose their message (it may hold details for the log, not the client).
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id);
// The other way, for the client side of a call: the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

struct ServerOptions {
  std::string listen;       // host:port; port 0 picks a free one
  std::string tls_cert;     // PEM file: the server's certificate chain
  std::string tls_key;      // PEM file: its private key
  std::string tls_client_ca;  // optional PEM file: verify client certificates against it
  std::string ready_file;   // optional: the bound port is written here once serving
  int max_message_bytes = 4 << 20;
  absl::Duration shutdown_grace = absl::Seconds(10);
};

// Declares the flags every service shares: listen, TLS files, ready file,
// token keys, database and worker count. `prefix` is the environment
// prefix, e.g. "HARTSLAG_INTAKE".
void AddServerFlags(Flags& flags, const std::string& prefix, int default_port);
ServerOptions ServerOptionsFromFlags(const Flags& flags);
// --audit and --audit-ca, for services that deliver audit records.
void AddAuditClientFlags(Flags& flags);
// TLS credentials for calls to another Hartslag service: this service's
// certificate (--service-cert, --service-key) and the CA in flag `ca_flag`.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ServiceClientCredentials(
    const Flags& flags, const std::string& ca_flag);
// Opens the pool of --db (--db-pool-size connections) and brings `schema`
// up to date with `migrations`, under the migrations' advisory lock.
absl::StatusOr<std::unique_ptr<db::Pool>> OpenServiceDatabase(const Flags& flags,
                                                              absl::string_view schema,
                                                              std::vector<db::Migration> migrations);
// A service binary's exit code for how its run ended: 0 also after --help;
// otherwise 1, with the reason logged.
int ExitCode(const absl::Status& run);
// Builds the token verifier from --jwt-public-keys and --jwt-issuer.
absl::StatusOr<Authenticator> AuthenticatorFromFlags(const Flags& flags);

// Runs `services` until SIGTERM or SIGINT, then drains in-flight calls for up
// to the grace period and returns.
absl::Status RunServer(const ServerOptions& options, const std::vector<grpc::Service*>& services);

// A fixed set of worker threads for request handlers. Thread-safe.
class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();  // finishes queued work, then joins
  void Post(std::function<void()> work);

 private:
  void Loop();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

class RpcRunner {
 public:
  RpcRunner(const Authenticator* authenticator, const AccessPolicy* policy, WorkerPool* workers,
            const AuditTrail* audit)
      : authenticator_(authenticator), policy_(policy), workers_(workers), audit_(audit) {}

  // Fills the response and returns its status; writes what the call did
  // into the audit record (audit_trail.h).
  using Handler = std::function<absl::Status(const RequestContext&, AuditRecord&)>;

  // Serves one unary call; `handler` fills the response and returns its status.
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* call, std::string rpc,
                                Handler handler) const;

 private:
  const Authenticator* authenticator_;
  const AccessPolicy* policy_;
  WorkerPool* workers_;
  const AuditTrail* audit_;
};

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
