#include "services/common/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "re2/re2.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/log.h"
#include "services/common/metrics.h"
#include "services/common/periodic_task.h"
#include "services/common/process.h"
#include "services/common/status_details.h"
#include "services/common/status_macros.h"
#include "services/common/trace.h"

namespace hartslag {
namespace {

// Shutdown signals are turned into a byte on this pipe: writing is
// async-signal-safe, and the main thread simply blocks reading it.
int shutdown_pipe[2] = {-1, -1};

void OnShutdownSignal(int) {
  char byte = 1;
  [[maybe_unused]] ssize_t n = write(shutdown_pipe[1], &byte, 1);
}

// What the caller sent of metadata `key` ("" if nothing).
absl::string_view MetadataOf(const grpc::ServerContextBase& call, const char* key) {
  auto it = call.client_metadata().find(key);
  return it == call.client_metadata().end() ? absl::string_view() : absl::string_view(it->second.data(), it->second.size());
}

Trace TraceOf(const grpc::ServerContextBase& call) {
  return TraceFrom(MetadataOf(call, "x-request-id"), MetadataOf(call, "traceparent"));
}

std::string RequestIdOf(const grpc::ServerContextBase& call) { return TraceOf(call).request_id; }

// Completes a context with what the call itself says: the TLS client
// certificate's URI and the stated purpose.
RequestContext CallContext(const grpc::ServerContextBase& call, const std::string& request_id,
                           absl::Time deadline, RequestContext context) {
  context.request_id = request_id;
  context.traceparent = ValidTraceparent(MetadataOf(call, "traceparent"));
  context.deadline = deadline;
  if (auto auth = call.auth_context()) {
    for (const auto& uri : auth->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME)) {
      context.peer_identity.assign(uri.data(), uri.size());
    }
  }
  context.peer_address = call.peer();
  // Only the web gateway's certificate may say for whom it calls.
  static const re2::RE2 kAddress("[0-9A-Fa-f.:\\[\\]]{1,64}");
  if (auto it = call.client_metadata().find("x-hartslag-forwarded-for");
      it != call.client_metadata().end() && context.peer_identity == ServiceIdentity("web")) {
    std::string browser(it->second.data(), it->second.size());
    if (re2::RE2::FullMatch(browser, kAddress)) {
      context.peer_address = absl::StrCat(browser, " via web (", call.peer(), ")");
    }
  }
  static const re2::RE2 kPurpose("[A-Z_]{1,40}");
  auto it = call.client_metadata().find("x-hartslag-purpose");
  if (it != call.client_metadata().end()) {
    std::string purpose(it->second.data(), it->second.size());
    if (re2::RE2::FullMatch(purpose, kPurpose)) context.purpose = purpose;
  }
  return context;
}

// Turns gRPC's bare UNIMPLEMENTED for a request that does not parse (random
// bytes, a string that is not UTF-8) into INVALID_ARGUMENT with a reason,
// logged and audited like every other refusal.
class UnparseableRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  UnparseableRequestInterceptor(grpc::experimental::ServerRpcInfo* info, const RpcRunner* runner)
      : info_(info), runner_(runner) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    // Our RPCs take one request message: none where one arrived means it did
    // not parse (on a client stream it would only mean the end of it).
    auto type = info_->type();
    if ((type == grpc::experimental::ServerRpcInfo::Type::UNARY ||
         type == grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING) &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparseable_ = true;
    }
    if (unparseable_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      methods->ModifySendStatus(runner_->RefuseUnparseable(*info_->server_context(), info_->method()));
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const RpcRunner* runner_;
  bool unparseable_ = false;
};

class UnparseableRequestInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit UnparseableRequestInterceptorFactory(const RpcRunner* runner) : runner_(runner) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new UnparseableRequestInterceptor(info, runner_);
  }

 private:
  const RpcRunner* runner_;
};

// Counts each call in RpcMetrics once its status is sent.
class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RpcMetricsInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      RpcMetrics::Global().Handled(info_->method(), methods->GetSendStatus().error_code(), absl::Now() - started_);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const absl::Time started_ = absl::Now();
};

class RpcMetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new RpcMetricsInterceptor(info);
  }
};

}  // namespace

void AddServerFlags(Flags& flags, const std::string& prefix, int default_port, int default_workers) {
  flags.Add("listen", prefix + "_LISTEN", absl::StrCat("127.0.0.1:", default_port),
            "address to listen on (host:port; port 0 picks a free port)");
  flags.Add("tls-cert", prefix + "_TLS_CERT", "", "PEM file with the server certificate chain");
  flags.Add("tls-key", prefix + "_TLS_KEY", "", "PEM file with the server private key");
  flags.Add("tls-client-ca", prefix + "_TLS_CLIENT_CA", "",
            "PEM file of the CA that signs client certificates (optional)");
  flags.Add("metrics-address", prefix + "_METRICS_ADDRESS", "",
            "host:port of the Prometheus metrics endpoint (plain HTTP, for the operator's network; off when empty)");
  flags.Add("ready-file", prefix + "_READY_FILE", "",
            "write the bound port to this file once serving (optional)");
  flags.Add("jwt-public-keys", "HARTSLAG_JWT_PUBLIC_KEYS", "",
            "comma-separated PEM files of the token issuer's Ed25519 public keys");
  flags.Add("jwt-issuer", "HARTSLAG_JWT_ISSUER", "hartslag-dev", "the accepted token issuer");
  flags.Add("jwt-tenants", "HARTSLAG_JWT_TENANTS", "",
            "comma-separated tenants this instance serves (empty: every tenant)");
  AddDatabaseFlags(flags, prefix);
  flags.Add("workers", prefix + "_WORKERS", absl::StrCat(default_workers), "threads that run request handlers");
  flags.Add("pseudonym-key", "HARTSLAG_PSEUDONYM_KEY", "",
            "file with the secret key for pseudonyms of persons and addresses in audit records");
  flags.Add("service-cert", prefix + "_SERVICE_CERT", "",
            "PEM client certificate naming this service, for calls to other services");
  flags.Add("service-key", prefix + "_SERVICE_KEY", "", "its private key");
}

void AddDatabaseFlags(Flags& flags, const std::string& prefix) {
  flags.Add("db", prefix + "_DB", "", "libpq connection string of the service's database");
  flags.Add("db-pool-size", prefix + "_DB_POOL_SIZE", "8", "database connections to keep");
  flags.Add("migrations", prefix + "_MIGRATIONS", "apply",
            "apply: bring the schema up to date at start; require: refuse to start unless the `migrate` "
            "command already did (for a database role without rights on the schema)");
}

void AddAuditClientFlags(Flags& flags) {
  flags.Add("audit", "HARTSLAG_AUDIT_ADDR", "",
            "hartslag-audit address to deliver audit records to (empty: they wait in the outbox)");
  flags.Add("audit-ca", "HARTSLAG_CA", "", "PEM file of the CA of the audit service's certificate");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ServiceChannel(const Flags& flags, const std::string& address_flag,
                                                              const std::string& ca_flag) {
  grpc::SslCredentialsOptions tls;
  ASSIGN_OR_RETURN(tls.pem_root_certs, ReadFile(flags.Get(ca_flag), "--" + ca_flag));
  ASSIGN_OR_RETURN(tls.pem_cert_chain, ReadFile(flags.Get("service-cert"), "--service-cert"));
  ASSIGN_OR_RETURN(tls.pem_private_key, ReadFile(flags.Get("service-key"), "--service-key"));
  grpc::ChannelArguments args;
  // As the client library's channels (clients/cpp/channel.cc): every
  // instance behind the name in turn, and a restarted one found again
  // within seconds.
  args.SetLoadBalancingPolicyName("round_robin");
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return grpc::CreateCustomChannel(flags.Get(address_flag), grpc::SslCredentials(tls), args);
}

ServerOptions ServerOptionsFromFlags(const Flags& flags) {
  ServerOptions options;
  options.listen = flags.Get("listen");
  options.tls_cert = flags.Get("tls-cert");
  options.tls_key = flags.Get("tls-key");
  options.tls_client_ca = flags.Get("tls-client-ca");
  options.ready_file = flags.Get("ready-file");
  return options;
}

absl::StatusOr<std::unique_ptr<db::Pool>> OpenServiceDatabase(const Flags& flags,
                                                              absl::string_view schema,
                                                              std::vector<db::Migration> migrations) {
  ASSIGN_OR_RETURN(int pool_size, flags.GetInt("db-pool-size"));
  if (flags.Get("db").empty()) return absl::InvalidArgumentError("--db is required");
  const std::string mode = flags.Get("migrations");
  if (mode != "apply" && mode != "require") {
    return UsageError(absl::StrCat("--migrations: must be apply or require, not \"", mode, "\""));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool, db::Pool::Open(flags.Get("db"), pool_size));
  if (mode == "require") {
    RETURN_IF_ERROR(db::CheckMigrations(*pool, std::string(schema), std::move(migrations)));
    return pool;
  }
  ASSIGN_OR_RETURN(int applied, db::ApplyMigrations(*pool, std::string(schema), std::move(migrations)));
  Log(LogLevel::kInfo, "migrations applied", {{"count", std::to_string(applied)}});
  return pool;
}

bool IsMigrateCommand(int argc, char** argv) { return argc > 1 && std::string(argv[1]) == "migrate"; }

absl::Status Migrate(int argc, char** argv, const std::string& program, const std::string& prefix,
                     absl::string_view schema, std::vector<db::Migration> migrations) {
  Flags flags(program + " migrate", "bring the service's database schema up to date, then exit");
  AddDatabaseFlags(flags, prefix);
  RETURN_IF_ERROR(flags.Parse(argc, argv, 2));
  if (flags.Get("db").empty()) return absl::InvalidArgumentError("--db is required");
  ASSIGN_OR_RETURN(std::unique_ptr<db::Pool> pool, db::Pool::Open(flags.Get("db"), 1));
  ASSIGN_OR_RETURN(int applied, db::ApplyMigrations(*pool, std::string(schema), std::move(migrations)));
  Log(LogLevel::kInfo, "migrations applied", {{"count", std::to_string(applied)}});
  return absl::OkStatus();
}

int ExitCode(const absl::Status& run) {
  if (IsHelpRequested(run) || run.ok()) return 0;
  Log(LogLevel::kError, "cannot run", {{"error", run.ToString()}});
  return 1;
}

absl::StatusOr<Authenticator> AuthenticatorFromFlags(const Flags& flags) {
  std::vector<std::string> files = absl::StrSplit(flags.Get("jwt-public-keys"), ',',
                                                  absl::SkipWhitespace());
  if (files.empty()) return absl::InvalidArgumentError("--jwt-public-keys is required");
  TokenVerifierOptions options;
  options.issuer = flags.Get("jwt-issuer");
  for (absl::string_view tenant : absl::StrSplit(flags.Get("jwt-tenants"), ',', absl::SkipWhitespace())) {
    options.tenants.insert(std::string(tenant));
  }
  ASSIGN_OR_RETURN(TokenVerifier verifier, TokenVerifier::FromPemFiles(files, options));
  return Authenticator(std::move(verifier));
}

namespace {

// Keeps the health check's overall status to whether the database answers,
// checked every `interval` until destroyed.
std::unique_ptr<PeriodicTask> WatchDatabaseHealth(db::Pool* database, grpc::HealthCheckServiceInterface* health,
                                                  absl::Duration interval) {
  return std::make_unique<PeriodicTask>(absl::ZeroDuration(), [database, health, interval, serving = true]() mutable {
    db::TransactionOptions bounded;
    bounded.deadline = absl::Now() + interval;
    bounded.max_attempts = 1;
    bounded.retry_unavailable_for = absl::ZeroDuration();  // the answer is whether it answers now
    bool answers = database->Query("SELECT 1", {}, bounded).ok();
    if (answers != serving) {
      serving = answers;
      health->SetServingStatus(serving);
      Log(serving ? LogLevel::kInfo : LogLevel::kError,
          serving ? "database answers again: serving" : "database does not answer: not serving");
    }
    return interval;
  });
}

}  // namespace

absl::Status RequireTimeZoneDatabase() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Amsterdam", &zone)) {
    return absl::FailedPreconditionError(
        "the time-zone database cannot be read (Europe/Amsterdam): install tzdata, or set TZDIR to it");
  }
  return absl::OkStatus();
}

absl::Status RunServer(const ServerOptions& options, const std::vector<grpc::Service*>& services) {
  RETURN_IF_ERROR(RequireTimeZoneDatabase());
  UseMutexesWithoutDeadlockDetection();
  if (options.tls_cert.empty() || options.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key are required: Hartslag only speaks TLS");
  }
  grpc::SslServerCredentialsOptions tls;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadFile(options.tls_key, "--tls-key"));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadFile(options.tls_cert, "--tls-cert"));
  tls.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls_client_ca.empty()) {
    ASSIGN_OR_RETURN(tls.pem_root_certs, ReadFile(options.tls_client_ca, "--tls-client-ca"));
    // Client certificates are optional (users come with tokens) but, when
    // presented, must chain to our CA.
    tls.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, grpc::SslServerCredentials(tls), &port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 30 * 60 * 1000);
  // Bounds on what callers can make the server hold: calls at once per
  // connection, and the memory gRPC itself uses for all of them.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 100);
  grpc::ResourceQuota quota("hartslag");
  quota.Resize(options.max_grpc_memory_bytes);
  builder.SetResourceQuota(quota);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  if (options.runner != nullptr) {
    interceptors.push_back(std::make_unique<UnparseableRequestInterceptorFactory>(options.runner));
  }
  // Last, so that it counts the status as the interceptors before it left it.
  interceptors.push_back(std::make_unique<RpcMetricsInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }

  if (pipe(shutdown_pipe) != 0) return absl::InternalError("cannot create the shutdown pipe");
  struct sigaction action = {};
  action.sa_handler = OnShutdownSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  if (!options.ready_file.empty()) {
    std::string tmp = options.ready_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::rename(tmp.c_str(), options.ready_file.c_str());
  }
  Log(LogLevel::kInfo, "serving", {{"listen", options.listen}, {"port", absl::StrCat(port)}});
  std::unique_ptr<PeriodicTask> health;
  if (options.database != nullptr) {
    health = WatchDatabaseHealth(options.database, server->GetHealthCheckService(), options.health_interval);
  }

  char byte = 0;
  while (read(shutdown_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
  health.reset();
  Log(LogLevel::kInfo, "shutting down: draining calls");
  if (options.on_shutdown) options.on_shutdown();
  server->Shutdown(std::chrono::system_clock::now() +
                   absl::ToChronoMilliseconds(options.shutdown_grace));
  server->Wait();
  Log(LogLevel::kInfo, "stopped");
  return absl::OkStatus();
}

WorkerPool::WorkerPool(int threads, size_t max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Post(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

bool WorkerPool::TryPost(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::Loop() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

void PostWork(WorkerPool* workers, std::function<void()> work) { workers->Post(std::move(work)); }
bool TryPostWork(WorkerPool* workers, std::function<void()> work) { return workers->TryPost(std::move(work)); }

std::string RpcRunner::Accept(grpc::CallbackServerContext* call) {
  std::string request_id = RequestIdOf(*call);
  call->AddInitialMetadata("x-request-id", request_id);
  return request_id;
}

absl::Status RpcRunner::Admit(grpc::CallbackServerContext* call, const std::string& rpc,
                              const google::protobuf::Message& request, const std::string& request_id,
                              absl::Time deadline, RequestContext& context, AuditRecord& audit) const {
  // Guarded too: the token and the request are what the caller sent.
  return Guarded(rpc, request_id, [&]() -> absl::Status {
    absl::StatusOr<RequestContext> authenticated;
    if (policy_->NeedsNoToken(rpc)) authenticated = RequestContext();
    else authenticated = authenticator_->Authenticate(*call);
    if (!authenticated.ok()) return authenticated.status();
    context = CallContext(*call, request_id, deadline, *std::move(authenticated));
    audit = audit_->Begin(context, rpc, policy_->Rule(rpc), context.peer_address);
    RETURN_IF_ERROR(policy_->Check(rpc, context));
    return CheckRequestBounds(request);
  });
}

absl::Status RpcRunner::Conclude(const AuditTrail* trail, const std::string& rpc, const std::string& request_id,
                                 AuditRecord& audit, absl::Status status) {
  absl::Status recorded;
  try {
    recorded = trail->Finish(audit, status);
  } catch (const std::exception&) {
    recorded = absl::InternalError("writing the record threw");
  }
  if (!recorded.ok()) {
    Log(LogLevel::kError, "audit record not written", {{"rpc", rpc}, {"error", recorded.ToString()}}, request_id);
    if (status.ok()) status = absl::UnavailableError("the audit trail is unavailable; try again");
  }
  return status;
}

void RpcRunner::LogCall(const std::string& rpc, const std::string& request_id, absl::Time started,
                        const RequestContext& context, const absl::Status& status, LogFields fields) {
  fields.insert(fields.begin(),
                {{"rpc", rpc},
                 {"code", absl::StatusCodeToString(status.code())},
                 {"duration_ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - started))}});
  if (!context.traceparent.empty()) fields.emplace_back("traceparent", context.traceparent);
  if (!context.tenant.empty()) {
    fields.emplace_back("tenant", context.tenant);
    fields.emplace_back("organisation", context.organisation);
  }
  bool internal = absl::IsInternal(status) || absl::IsUnknown(status);
  if (internal || absl::IsUnavailable(status)) fields.emplace_back("error", status.message());
  Log(internal ? LogLevel::kError : LogLevel::kInfo, "rpc", fields, request_id);
}

grpc::Status RpcRunner::RefuseUnparseable(grpc::ServerContextBase& call, absl::string_view method) const {
  absl::Time started = absl::Now();
  std::string request_id = RequestIdOf(call);
  // "/hartslag.intake.v1.SignalService/SubmitSignal" -> "SubmitSignal"
  std::string rpc(method.substr(method.rfind('/') + 1));
  absl::Status status = absl::InvalidArgumentError(
      "request: does not parse as this RPC's request message (malformed protobuf, or a string that is not UTF-8)");
  RequestContext context;
  const AccessRule& rule = policy_->Rule(rpc);
  if (rule.action != audit::v1::ACTION_UNSPECIFIED && !policy_->NeedsNoToken(rpc)) {
    if (absl::StatusOr<RequestContext> caller = authenticator_->Authenticate(call); caller.ok()) {
      context = CallContext(call, request_id, started + kMaxCallDuration, *std::move(caller));
      // A caller the RPC does not admit is told and recorded so, as always.
      if (absl::Status admitted = policy_->Check(rpc, context); !admitted.ok()) status = admitted;
      // The record is written on a worker, never on gRPC's thread; with no
      // worker free the log line is all there is.
      auto audit = std::make_shared<AuditRecord>(audit_->Begin(context, rpc, rule, context.peer_address));
      // The worker gets a status of its own: two threads never share one.
      workers_->TryPost([trail = audit_, audit, rpc, request_id, code = status.code(),
                         message = std::string(status.message())] {
        Conclude(trail, rpc, request_id, *audit, absl::Status(code, message)).IgnoreError();
      });
    }
  }
  LogCall(rpc, request_id, started, context, status);
  return ToGrpcStatus(status, request_id);
}

grpc::ServerUnaryReactor* RpcRunner::Run(grpc::CallbackServerContext* call, std::string rpc,
                                         const google::protobuf::Message& request, Handler handler) const {
  grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
  absl::Time started = absl::Now();
  std::string request_id = Accept(call);
  bool queued = workers_->TryPost([this, call, &request, reactor, started, rpc, request_id,
                                   handler = std::move(handler)] {
    absl::Status status;
    RequestContext context;
    AuditRecord audit;
    absl::Time deadline = absl::FromChrono(call->deadline());
    if (deadline > started + kMaxCallDuration) deadline = started + kMaxCallDuration;
    if (call->IsCancelled() || absl::Now() >= deadline) {
      status = absl::DeadlineExceededError("deadline passed before the call was handled");
    } else {
      status = Admit(call, rpc, request, request_id, deadline, context, audit);
      if (status.ok()) status = Guarded(rpc, request_id, [&] { return handler(context, audit); });
      status = Conclude(audit_, rpc, request_id, audit, status);
    }
    LogCall(rpc, request_id, started, context, status);
    reactor->Finish(ToGrpcStatus(status, request_id));
  });
  if (!queued) RefuseBusy(reactor, rpc, request_id, started);
  return reactor;
}

absl::Status RpcRunner::Threw(const std::string& rpc, const std::string& request_id) {
  // Not e.what(): it may hold what the caller sent.
  Log(LogLevel::kError, "call_threw", {{"rpc", rpc}}, request_id);
  return absl::InternalError("the service failed to handle the call");
}

void RpcRunner::RefuseBusy(grpc::ServerUnaryReactor* reactor, const std::string& rpc,
                           const std::string& request_id, absl::Time started) {
  absl::Status busy = absl::ResourceExhaustedError("the service is busy; try again shortly");
  LogCall(rpc, request_id, started, RequestContext(), busy);
  reactor->Finish(ToGrpcStatus(busy, request_id));
}

// One call of Run's quick form: what the thread that ends it needs.
class RpcRunner::QuickCall final : public RpcRunner::Later, public std::enable_shared_from_this<QuickCall> {
 public:
  QuickCall(const RpcRunner* runner, grpc::CallbackServerContext* call, std::string rpc, absl::Time started)
      : runner_(runner), call_(call), reactor_(call->DefaultReactor()), rpc_(std::move(rpc)),
        request_id_(Accept(call)), started_(started) {}

  // A call that its last holder let go unanswered (a quick way, or the
  // answer of a batch, that threw) is answered here rather than left to its
  // deadline, and recorded as failed on a worker (the answer does not wait
  // for the record, as for a refusal of an unparseable request), with the
  // call's event id, so that a record a batch stored with the call's data
  // stays the only one. A submission is then retried by its client, and
  // replayed if it was stored.
  ~QuickCall() override {
    if (answered_.exchange(true)) return;
    auto dropped = [] { return absl::InternalError("the service failed to answer the call"); };
    // Post, not TryPost: the call was admitted, and its record is owed.
    // Before the answer: until the call ends, the server, and so the runner
    // read here, cannot have shut down.
    auto audit = std::make_shared<AuditRecord>(std::move(audit_));
    runner_->workers_->Post([trail = runner_->audit_, audit, rpc = rpc_, request_id = request_id_, dropped] {
      Conclude(trail, rpc, request_id, *audit, dropped()).IgnoreError();
    });
    LogCall(rpc_, request_id_, started_, context_, dropped(), {{"unanswered", "true"}});
    reactor_->Finish(ToGrpcStatus(dropped(), request_id_));
  }

  void Finish(absl::Status status) override {
    if (!Answering()) return;
    status = Conclude(runner_->audit_, rpc_, request_id_, audit_, status);
    LogCall(rpc_, request_id_, started_, context_, status);
    reactor_->Finish(ToGrpcStatus(status, request_id_));
  }
  void Continue(Handler handler) override { Offer(std::move(handler)); }
  // Refused when the workers' queue is full, as Run's calls are, so that
  // what waits for a worker stays bounded whichever way it came. Not
  // audited: no worker was free to write the record. A submission a batch
  // left out is then retried by its client, and replayed if it was stored.
  void Offer(Handler handler, bool refusal = false) {
    if (answered_) return Misused();
    if (!runner_->workers_->TryPost(OnWorker(std::move(handler), refusal)) && Answering()) {
      RefuseBusy(reactor_, rpc_, request_id_, started_);
    }
  }

  grpc::ServerUnaryReactor* reactor() const { return reactor_; }
  const std::string& request_id() const { return request_id_; }
  RequestContext& context() { return context_; }
  AuditRecord& audit() { return audit_; }

 private:
  // A refusal decided on admission is recorded as decided, however long it
  // waited. Any other call whose caller is gone or whose deadline passed
  // while it waited is not worked on and, as Run's, not recorded.
  std::function<void()> OnWorker(Handler handler, bool refusal) {
    return [self = shared_from_this(), handler = std::move(handler), refusal] {
      if (self->answered_) return self->Misused();  // its context may be gone
      if (!refusal && (self->call_->IsCancelled() || absl::Now() >= self->context_.deadline)) {
        self->audit_ = AuditRecord();
        return self->Finish(absl::DeadlineExceededError("deadline passed before the call was handled"));
      }
      self->Finish(Guarded(self->rpc_, self->request_id_, [&] { return handler(self->context_, self->audit_); }));
    };
  }

  // True for the one caller that may answer the call.
  bool Answering() {
    if (!answered_.exchange(true)) return true;
    Misused();
    return false;
  }
  // Later's contract broken: a second answer, or a way on after the answer.
  void Misused() { Log(LogLevel::kError, "call_ended_twice", {{"rpc", rpc_}}, request_id_); }

  const RpcRunner* runner_;
  grpc::CallbackServerContext* call_;
  grpc::ServerUnaryReactor* reactor_;
  const std::string rpc_, request_id_;
  const absl::Time started_;
  RequestContext context_;
  AuditRecord audit_;
  std::atomic<bool> answered_ = false;
};

grpc::ServerUnaryReactor* RpcRunner::Run(grpc::CallbackServerContext* call, std::string rpc,
                                         const google::protobuf::Message& request, Handler handler,
                                         QuickWay quick) const {
  absl::Time started = absl::Now();
  auto later = std::make_shared<QuickCall>(this, call, rpc, started);
  absl::Time deadline = absl::FromChrono(call->deadline());
  if (deadline > started + kMaxCallDuration) deadline = started + kMaxCallDuration;
  if (call->IsCancelled() || started >= deadline) {
    later->Finish(absl::DeadlineExceededError("deadline passed before the call was handled"));  // nothing to record
    return later->reactor();
  }
  // The same checks as Run's, on this thread: they read memory only (the
  // token's key and cache, the access rules) and verify a token's signature
  // the first time it is seen.
  absl::Status status = Admit(call, rpc, request, later->request_id(), deadline, later->context(), later->audit());
  if (!status.ok()) {
    // A refusal's record is written on a worker: that may wait.
    later->Offer([status](const RequestContext&, AuditRecord&) { return status; }, /*refusal=*/true);
  } else {
    bool taken = false;
    try {
      taken = quick(later->context(), later->audit(), later);
    } catch (const std::exception&) {
      // Taken all the same: it may have queued the call before it threw,
      // and whoever holds `later` answers it, or its last holder on letting go.
      Log(LogLevel::kError, "quick_way_threw", {{"rpc", rpc}}, later->request_id());
      taken = true;
    }
    if (!taken) later->Offer(std::move(handler));
  }
  return later->reactor();
}

}  // namespace hartslag
