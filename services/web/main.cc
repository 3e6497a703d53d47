// hartslag-web: the browser's door to Hartslag. Flags and wiring only.
#include <openssl/x509.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cpp/channel.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/files.h"
#include "services/common/log.h"
#include "services/common/metrics.h"
#include "services/common/process.h"
#include "services/common/status_macros.h"
#include "services/common/token.h"
#include "services/web/sealed_cookie.h"
#include "services/web/transcoder.h"
#include "services/web/web_server.h"
#include "services/web/web_sessions.h"

namespace {

// The DER SubjectPublicKeyInfo of the Ed25519 public key in PEM file `path`
// (what WebCrypto imports as "spki"); refused at start-up when it is not one,
// rather than letting every browser fail each check later.
absl::StatusOr<std::string> AuditPublicKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, hartslag::ReadFile(path, "audit-public-key"));
  absl::StatusOr<hartslag::KeyPtr> key = hartslag::ParseEd25519Pem(pem, /*is_private=*/false);
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("audit-public-key: ", key.status().message()));
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key->get(), &der);
  if (length <= 0) return absl::InvalidArgumentError("audit-public-key: cannot encode the public key");
  std::string out(reinterpret_cast<char*>(der), length);
  OPENSSL_free(der);
  return out;
}

absl::Status Run(int argc, char** argv) {
  using namespace hartslag;
  // SIGTERM and SIGINT are taken by a thread of their own (sigwait), so
  // stopping needs nothing unsafe in a signal handler; blocked here, before
  // any thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  UseMutexesWithoutDeadlockDetection();
  Flags flags("hartslag-web", "serves the front end and its JSON API over HTTPS");
  flags.Add("listen", "HARTSLAG_WEB_LISTEN", "127.0.0.1:7400", "address to listen on (host:port; port 0 picks one)");
  flags.Add("tls-cert", "HARTSLAG_WEB_TLS_CERT", "", "PEM file with the HTTPS certificate chain");
  flags.Add("tls-key", "HARTSLAG_WEB_TLS_KEY", "", "PEM file with its private key");
  flags.Add("static-dir", "HARTSLAG_WEB_STATIC_DIR", "", "the built front end (clients/web/dist)");
  flags.Add("session-key", "HARTSLAG_WEB_SESSION_KEY", "",
            "file with the 32-byte key that seals session cookies (the same on every web instance)");
  flags.Add("ca", "HARTSLAG_CA", "", "PEM file of the CA of the services' certificates");
  flags.Add("service-cert", "HARTSLAG_WEB_SERVICE_CERT", "",
            "client certificate (spiffe://hartslag/service/web) the services know the gateway by");
  flags.Add("service-key", "HARTSLAG_WEB_SERVICE_KEY", "", "its private key");
  flags.Add("intake", "HARTSLAG_INTAKE_ADDR", "localhost:7402", "intake service address");
  flags.Add("directory", "HARTSLAG_DIRECTORY_ADDR", "localhost:7401", "directory service address");
  flags.Add("cases", "HARTSLAG_CASES_ADDR", "localhost:7403", "cases service address");
  flags.Add("audit", "HARTSLAG_AUDIT_ADDR", "localhost:7404", "audit service address");
  flags.Add("jwt-public-keys", "HARTSLAG_JWT_PUBLIC_KEYS", "", "comma-separated PEM files of the token keys");
  flags.Add("jwt-issuer", "HARTSLAG_JWT_ISSUER", "hartslag-dev", "the accepted token issuer");
  flags.Add("map-tiles", "HARTSLAG_WEB_MAP_TILES", "",
            "tile URL template of the coordinator's map (https, with {z}, {x} and {y}), e.g. PDOK's BRT "
            "background map https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/"
            "{y}.png; empty: no map");
  flags.Add("audit-public-key", "HARTSLAG_WEB_AUDIT_PUBLIC_KEY", "",
            "PEM file of the audit log's tree-head public key (Ed25519), for the browser's own check of a "
            "tree head's signature; empty: the browser says it cannot check signatures");
  flags.Add("ready-file", "HARTSLAG_WEB_READY_FILE", "", "written with the port once serving");
  flags.Add("metrics-address", "HARTSLAG_WEB_METRICS_ADDRESS", "",
            "host:port of the Prometheus metrics endpoint (plain HTTP, for the operator's network; off when empty)");
  RETURN_IF_ERROR(flags.Parse(argc, argv));
  SetLogService("web");

  auto channel = [&](const std::string& address_flag) {
    client::ChannelOptions options;
    options.address = flags.Get(address_flag);
    options.ca_file = flags.Get("ca");
    options.client_cert_file = flags.Get("service-cert");
    options.client_key_file = flags.Get("service-key");
    return client::OpenChannel(options);
  };
  ASSIGN_OR_RETURN(auto intake, channel("intake"));
  ASSIGN_OR_RETURN(auto directory, channel("directory"));
  ASSIGN_OR_RETURN(auto cases, channel("cases"));
  ASSIGN_OR_RETURN(auto audit, channel("audit"));
  web::Transcoder transcoder({{"hartslag.intake.v1", intake},
                              {"hartslag.cases.v1", cases},
                              {"hartslag.audit.v1", audit},
                              {"hartslag.directory.v1", directory}});

  std::vector<std::string> key_files = absl::StrSplit(flags.Get("jwt-public-keys"), ',', absl::SkipWhitespace());
  if (key_files.empty()) return absl::InvalidArgumentError("jwt-public-keys: is required");
  TokenVerifierOptions verifier_options;
  verifier_options.issuer = flags.Get("jwt-issuer");
  ASSIGN_OR_RETURN(TokenVerifier verifier, TokenVerifier::FromPemFiles(key_files, verifier_options));
  if (flags.Get("session-key").empty()) return absl::InvalidArgumentError("session-key: is required");
  ASSIGN_OR_RETURN(web::SealedCookie sealer, web::SealedCookie::FromKeyFile(flags.Get("session-key")));
  web::WebSessions sessions(directory::v1::AuthService::NewStub(directory), std::move(verifier), std::move(sealer));

  web::WebServerOptions options;
  options.listen = flags.Get("listen");
  options.cert_file = flags.Get("tls-cert");
  options.key_file = flags.Get("tls-key");
  options.static_dir = flags.Get("static-dir");
  options.map_tiles = flags.Get("map-tiles");
  if (!flags.Get("audit-public-key").empty()) {
    ASSIGN_OR_RETURN(options.audit_public_key, AuditPublicKey(flags.Get("audit-public-key")));
  }
  web::WebServer server(options, &transcoder, &sessions);
  RETURN_IF_ERROR(server.Bind());
  ASSIGN_OR_RETURN(std::unique_ptr<MetricsEndpoint> metrics,
                   MetricsEndpoint::Start(flags.Get("metrics-address"), [&server] {
                     std::vector<std::pair<std::string, double>> answers;
                     for (const auto& [status, n] : server.Answers()) {
                       answers.emplace_back(absl::StrCat(status), static_cast<double>(n));
                     }
                     return std::vector<prometheus::MetricFamily>{
                         CounterFamily("hartslag_web_http_responses_total", "answers given, by HTTP status", "code",
                                       answers),
                         GaugeFamily("hartslag_web_event_streams", "event streams open now", "",
                                     {{"", server.OpenStreams()}})};
                   }));
  if (!flags.Get("ready-file").empty()) {
    RETURN_IF_ERROR(WriteFileAtomically(flags.Get("ready-file"), absl::StrCat(server.port(), "\n"), "ready file"));
  }
  Log(LogLevel::kInfo, "serving", {{"port", absl::StrCat(server.port())}});
  std::atomic<bool> served{false};
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    // Stop is ignored until the server has started listening: ask again
    // until serving ended.
    while (!served) {
      server.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  absl::Status serving = server.Serve();
  served = true;
  pthread_kill(stopper.native_handle(), SIGTERM);  // if no signal came, end the waiting thread
  stopper.join();
  return serving;
}

}  // namespace

int main(int argc, char** argv) {
  absl::Status run = Run(argc, argv);
  if (hartslag::IsHelpRequested(run) || run.ok()) return 0;
  hartslag::Log(hartslag::LogLevel::kError, "cannot run", {{"error", run.ToString()}});
  return 1;
}
