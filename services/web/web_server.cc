#include "services/web/web_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "re2/re2.h"
#include "services/common/log.h"
#include "services/web/attachment_download.h"

namespace hartslag::web {
namespace {

// The browser's address for the audit origin and the request's trace (the
// browser's X-Request-Id or traceparent), so that the services log and audit
// the calls made for it under the id the browser saw.
BrowserRequest BrowserOf(const httplib::Request& req) {
  return BrowserRequest{req.remote_addr,
                        TraceFrom(req.get_header_value("X-Request-Id"), req.get_header_value("traceparent"))};
}
// What goes with a call made for a browser's request: the user's token, the
// purpose the screen declared, and the browser's address and trace (the
// same as the session's renewal went with: a trace made up here is made once).
CallMetadata CallMetadataOf(const Resumed& session, const std::string& purpose) {
  return CallMetadata{session.cookie.access_token(), purpose, session.browser.address, session.browser.trace};
}

constexpr char kJson[] = "application/json";

// Every answer, API or file: no inline script or style, no framing, no
// referrer, no sniffing, HTTPS only. (Images also from blob: URLs: the
// photos a reporter chose, shown before they are sent.)
// With a map, its tile server's origin is added to img-src: no other.
std::string ContentSecurityPolicy(const std::string& tile_origin) {
  return absl::StrCat("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:",
                      tile_origin.empty() ? "" : absl::StrCat(" ", tile_origin),
                      "; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                      "frame-ancestors 'none'");
}

const httplib::Headers kSecurityHeaders = {
    {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"},
};

// httplib's pool queues without a bound; this one holds at most `waiting`
// connections beyond those being served. The accepting thread waits for a
// slot meanwhile, so the kernel's listen backlog holds the rest and memory
// stays bounded; it never serves a connection itself.
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(int threads, size_t waiting) : waiting_(waiting) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return stopping_ || jobs_.size() < waiting_; });
    jobs_.push_back(std::move(fn));
    ready_.notify_one();
  }
  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    ready_.notify_all();
    room_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Work() {
    while (true) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        room_.notify_one();
      }
      fn();
    }
  }
  const size_t waiting_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

std::string CookieValue(const httplib::Request& req, absl::string_view name) {
  for (const auto& [key, value] : req.headers) {
    if (!absl::EqualsIgnoreCase(key, "Cookie")) continue;
    for (absl::string_view part : absl::StrSplit(value, ';')) {
      part = absl::StripAsciiWhitespace(part);
      if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) return std::string(part);
    }
  }
  return "";
}

std::string SetCookie(const std::string& name, const std::string& value, absl::Duration lifetime) {
  return absl::StrCat(name, "=", value, "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=",
                      std::max<int64_t>(0, absl::ToInt64Seconds(lifetime)));
}

void Answer(httplib::Response& res, const JsonAnswer& answer) {
  res.status = answer.http_status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(answer.json, kJson);
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json);
  return json;
}

JsonAnswer FromAbsl(const absl::Status& status, absl::string_view dutch) {
  auto code = static_cast<grpc::StatusCode>(status.code());
  return RefusalAnswer(code, "session", status.message(), dutch);
}

bool SameSecret(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The front end's files (clients/web/build.mjs): those named by their
// content's hash are cached for good, the page that names them is asked
// for again each time. (httplib compresses them, gzip or brotli, for
// browsers that take it: Debian builds it with both.)
void SetCaching(const httplib::Request& req, httplib::Response& res) {
  static const re2::RE2 kHashed(R"(/[a-z]+-[A-Z0-9]{8}\.(js|css))");
  res.set_header("Cache-Control", re2::RE2::FullMatch(req.path, kHashed) ? "public, max-age=31536000, immutable"
                                                                         : "no-cache");
}

}  // namespace

absl::StatusOr<std::string> TileOrigin(const std::string& url_template) {
  // A host of letters, digits, dots and hyphens and an optional port: what
  // goes into the CSP must not be able to add a source of its own.
  static const re2::RE2 kTemplate(R"((https://[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?)/[!-~]*)");
  // The session's answer carries the template (web.proto: map_tiles, at
  // most 2000 bytes); a longer one would break every session at log-in.
  constexpr size_t kMaxTemplateBytes = 2000;
  if (url_template.size() > kMaxTemplateBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("map-tiles: at most ", kMaxTemplateBytes, " bytes (this one has ", url_template.size(), ")"));
  }
  std::string origin;
  if (!re2::RE2::FullMatch(url_template, kTemplate, &origin) || absl::StrContains(url_template, ";") ||
      absl::StrContains(url_template, ",") || !absl::StrContains(url_template, "{z}") ||
      !absl::StrContains(url_template, "{x}") || !absl::StrContains(url_template, "{y}")) {
    return absl::InvalidArgumentError(
        "map-tiles: must be an https URL template with {z}, {x} and {y}, e.g. "
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png");
  }
  return origin;
}

WebServer::WebServer(WebServerOptions options, const Transcoder* transcoder, WebSessions* sessions)
    : options_(std::move(options)), transcoder_(transcoder), sessions_(sessions) {}

WebServer::~WebServer() { Stop(); }

absl::Status WebServer::Bind() {
  server_ = std::make_unique<httplib::SSLServer>(options_.cert_file.c_str(), options_.key_file.c_str());
  if (!server_->is_valid()) {
    return absl::InvalidArgumentError("tls-cert/tls-key: cannot serve TLS with this certificate and key");
  }
  int threads = options_.threads;
  server_->new_task_queue = [threads] { return new BoundedPool(threads, static_cast<size_t>(threads)); };
  time_t io = static_cast<time_t>(absl::ToInt64Seconds(options_.io_timeout));
  server_->set_read_timeout(io).set_write_timeout(io).set_keep_alive_timeout(5).set_keep_alive_max_count(100);
  SSL_CTX_set_min_proto_version(server_->ssl_context(), TLS1_2_VERSION);
  server_->set_payload_max_length(options_.max_body_bytes);
  // httplib bounds only a body with a Content-Length, and inflates
  // compressed bodies without a bound: such requests are refused here,
  // before any body is read.
  const size_t max_body = options_.max_body_bytes;
  server_->set_pre_routing_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    auto refuse = [&](int http, grpc::StatusCode code, const char* field, const char* reason) {
      Answer(res, RefusalAnswer(code, field, reason, "Het verzoek kon niet worden gelezen."));
      res.status = http;
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    };
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST" && req.method != "DELETE") {
      return refuse(405, grpc::StatusCode::UNIMPLEMENTED, "method", "only GET, POST and DELETE");
    }
    // Browsers say where a request comes from; the API answers only its
    // own pages (SameSite=Strict does not stop a sibling subdomain, and
    // logging in or following a stream needs no CSRF token).
    std::string site = req.get_header_value("Sec-Fetch-Site");
    if (absl::StartsWith(req.path, "/api/") && !site.empty() && site != "same-origin" && site != "none") {
      return refuse(403, grpc::StatusCode::PERMISSION_DENIED, "Sec-Fetch-Site", "only this site's own pages");
    }
    if (req.has_header("Transfer-Encoding")) {
      return refuse(411, grpc::StatusCode::INVALID_ARGUMENT, "Transfer-Encoding", "send a Content-Length instead");
    }
    if (req.has_header("Content-Encoding")) {
      return refuse(415, grpc::StatusCode::INVALID_ARGUMENT, "Content-Encoding", "send the body uncompressed");
    }
    size_t length = 0;
    bool has_length = absl::SimpleAtoi(req.get_header_value("Content-Length"), &length);
    if (req.method == "POST" && !has_length) {
      return refuse(411, grpc::StatusCode::INVALID_ARGUMENT, "Content-Length", "is required");
    }
    if (has_length && length > max_body) {
      Answer(res, RefusalAnswer(grpc::StatusCode::RESOURCE_EXHAUSTED, "body", "is too large",
                                "Het verzoek is te groot."));
      res.status = 413;
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->set_expect_100_continue_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    size_t length = 0;
    if (absl::SimpleAtoi(req.get_header_value("Content-Length"), &length) && length <= max_body) return 100;
    Answer(res, RefusalAnswer(grpc::StatusCode::RESOURCE_EXHAUSTED, "body", "is too large",
                              "Het verzoek is te groot."));
    res.status = 413;
    res.set_header("Connection", "close");
    return 413;
  });
  server_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Answer(res, RefusalAnswer(grpc::StatusCode::INTERNAL, "request", "could not be handled",
                              "Er ging iets mis. Probeer het opnieuw."));
  });
  std::string tile_origin;
  if (!options_.map_tiles.empty()) {
    absl::StatusOr<std::string> origin = TileOrigin(options_.map_tiles);
    if (!origin.ok()) return origin.status();
    tile_origin = *origin;
  }
  httplib::Headers headers = kSecurityHeaders;
  headers.emplace("Content-Security-Policy", ContentSecurityPolicy(tile_origin));
  server_->set_default_headers(headers);
  // After every answer, so that the metrics count each one once.
  server_->set_logger([this](const httplib::Request&, const httplib::Response& res) {
    std::lock_guard<std::mutex> lock(answers_mu_);
    ++answers_[res.status];
  });
  Routes();

  std::pair<std::string, std::string> host_port = absl::StrSplit(options_.listen, absl::MaxSplits(':', 1));
  int port = 0;
  if (!absl::SimpleAtoi(host_port.second, &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError("listen: must be host:port");
  }
  if (port == 0) {
    port_ = server_->bind_to_any_port(host_port.first);
    if (port_ < 0) return absl::UnavailableError(absl::StrCat("listen: cannot bind ", options_.listen));
  } else {
    if (!server_->bind_to_port(host_port.first, port)) {
      return absl::UnavailableError(absl::StrCat("listen: cannot bind ", options_.listen));
    }
    port_ = port;
  }
  return absl::OkStatus();
}

absl::Status WebServer::Serve() {
  if (!server_->listen_after_bind() && !stopping_) return absl::UnavailableError("listen: accepting failed");
  return absl::OkStatus();
}

void WebServer::Stop() {
  stopping_ = true;
  if (server_) server_->stop();
}

int WebServer::OpenStreams() {
  std::lock_guard<std::mutex> lock(streams_mu_);
  return streams_;
}

std::map<int, uint64_t> WebServer::Answers() {
  std::lock_guard<std::mutex> lock(answers_mu_);
  return answers_;
}

bool WebServer::TakeStream(const std::string& user) {
  std::lock_guard<std::mutex> lock(streams_mu_);
  int& mine = streams_of_[user];
  if (streams_ >= options_.max_streams || mine >= options_.max_streams_per_user) {
    if (mine == 0) streams_of_.erase(user);
    return false;
  }
  ++streams_;
  ++mine;
  return true;
}

void WebServer::ReleaseStream(const std::string& user) {
  std::lock_guard<std::mutex> lock(streams_mu_);
  --streams_;
  if (--streams_of_[user] <= 0) streams_of_.erase(user);
}

void WebServer::Routes() {
  httplib::SSLServer& s = *server_;
  const std::string cookie = sessions_->sealer().cookie_name();

  // The session a request carries, renewed when due; nullopt after the
  // refusal has been answered.
  auto resume = [this, cookie](const httplib::Request& req, httplib::Response& res) -> std::optional<Resumed> {
    BrowserRequest browser = BrowserOf(req);
    absl::StatusOr<Resumed> resumed = sessions_->Resume(CookieValue(req, cookie), browser);
    if (!resumed.ok()) {
      if (resumed.status().code() == absl::StatusCode::kUnauthenticated) {
        res.set_header("Set-Cookie", SetCookie(cookie, "", absl::ZeroDuration()));
        Answer(res, FromAbsl(resumed.status(), "U bent niet (meer) ingelogd. Log opnieuw in."));
      } else {
        Answer(res, FromAbsl(resumed.status(), "De dienst is even niet bereikbaar. Probeer het zo opnieuw."));
      }
      return std::nullopt;
    }
    if (!resumed->renewed_value.empty()) {
      res.set_header("Set-Cookie", SetCookie(cookie, resumed->renewed_value,
                                             absl::FromUnixSeconds(resumed->cookie.session_expires_at().seconds()) -
                                                 absl::Now()));
    }
    resumed->browser = std::move(browser);
    return *std::move(resumed);
  };
  // A mutating request must echo the session's CSRF token; else 403 and no
  // service is asked.
  auto csrf_ok = [](const httplib::Request& req, httplib::Response& res, const Resumed& session) {
    if (SameSecret(req.get_header_value("X-CSRF-Token"), session.cookie.csrf_token())) return true;
    Answer(res, RefusalAnswer(grpc::StatusCode::PERMISSION_DENIED, "X-CSRF-Token",
                              "missing or not this session's", "Het verzoek is geweigerd. Laad de pagina opnieuw."));
    return false;
  };
  auto json_body = [](const httplib::Request& req, httplib::Response& res) {
    std::string type = req.get_header_value("Content-Type");
    if (absl::StartsWith(type, kJson)) return true;
    Answer(res, RefusalAnswer(grpc::StatusCode::INVALID_ARGUMENT, "Content-Type", "must be application/json",
                              "Het verzoek kon niet worden gelezen."));
    return false;
  };
  auto purpose_of = [](const std::string& purpose, httplib::Response& res) -> std::optional<std::string> {
    static const re2::RE2 kPurpose("[A-Z_]{0,40}");
    if (re2::RE2::FullMatch(purpose, kPurpose)) return purpose;
    Answer(res, RefusalAnswer(grpc::StatusCode::INVALID_ARGUMENT, "X-Hartslag-Purpose", "is not a purpose",
                              "Het doel van het verzoek is onbekend."));
    return std::nullopt;
  };

  s.Post("/api/v1/session", [this, cookie, json_body](const httplib::Request& req, httplib::Response& res) {
    if (!json_body(req, res)) return;
    v1::LoginRequest login;
    if (!google::protobuf::util::JsonStringToMessage(req.body, &login).ok()) {
      Answer(res, RefusalAnswer(grpc::StatusCode::INVALID_ARGUMENT, "body", "is not a LoginRequest in JSON",
                                "Het verzoek kon niet worden gelezen."));
      return;
    }
    auto session = sessions_->Login(login, BrowserOf(req));
    if (!session.ok()) {
      bool refused = session.status().code() == absl::StatusCode::kUnauthenticated;
      Answer(res, FromAbsl(session.status(), refused ? "Gebruikersnaam of wachtwoord klopt niet, of het account is "
                                                       "tijdelijk geblokkeerd."
                                                     : "Inloggen lukt nu niet. Probeer het zo opnieuw."));
      return;
    }
    auto described = sessions_->Describe(session->first);
    if (!described.ok()) {
      Answer(res, FromAbsl(described.status(), "Inloggen lukt nu niet. Probeer het zo opnieuw."));
      return;
    }
    res.set_header("Set-Cookie", SetCookie(cookie, session->second, WebSessions::kSessionLifetime));
    described->set_map_tiles(options_.map_tiles);
    described->set_audit_public_key(options_.audit_public_key);
    Answer(res, {200, ToJson(*described)});
  });

  s.Get("/api/v1/session", [this, resume](const httplib::Request& req, httplib::Response& res) {
    std::optional<Resumed> session = resume(req, res);
    if (!session) return;
    auto described = sessions_->Describe(session->cookie);
    if (!described.ok()) {
      Answer(res, FromAbsl(described.status(), "U bent niet (meer) ingelogd. Log opnieuw in."));
      return;
    }
    described->set_map_tiles(options_.map_tiles);
    described->set_audit_public_key(options_.audit_public_key);
    Answer(res, {200, ToJson(*described)});
  });

  s.Delete("/api/v1/session", [this, cookie, resume, csrf_ok](const httplib::Request& req, httplib::Response& res) {
    std::optional<Resumed> session = resume(req, res);
    if (!session || !csrf_ok(req, res, *session)) return;
    absl::Status out = sessions_->Logout(session->cookie, session->browser);
    if (!out.ok()) {
      Answer(res, FromAbsl(out, "Uitloggen lukt nu niet. Probeer het zo opnieuw."));
      return;
    }
    res.set_header("Set-Cookie", SetCookie(cookie, "", absl::ZeroDuration()));
    Answer(res, {200, "{}"});
  });

  // A signal's photo or document, streamed as intake hands it out. It is
  // what a reporter uploaded: the browser must never take it for a page of
  // ours (a sandbox of its own, no sniffing), shows photos only (a PDF is
  // saved), and keeps no copy (private, no-store).
  s.Get(R"(/api/v1/signals/([0-9a-fA-F-]{36})/attachments/([0-9a-fA-F-]{36}))",
        [this, resume, purpose_of](const httplib::Request& req, httplib::Response& res) {
          std::optional<Resumed> session = resume(req, res);
          if (!session) return;
          // httplib serves each range of a request with reads of its own,
          // each a call to intake with its audit record: some hundred ranges
          // fit in a header. A browser asks for one at most.
          if (req.ranges.size() > 1) {
            res.status = 416;
            return;
          }
          std::optional<std::string> purpose = purpose_of(req.get_param_value("purpose"), res);
          if (!purpose) return;
          auto started = AttachmentDownload::Start(
              *transcoder_, CallMetadataOf(*session, *purpose), req.matches[1].str(),
              req.matches[2].str(), options_.call_timeout);
          if (auto* refused = std::get_if<JsonAnswer>(&started)) {
            Answer(res, *refused);
            return;
          }
          std::shared_ptr<AttachmentDownload> download = std::get<std::shared_ptr<AttachmentDownload>>(started);
          res.headers.erase("Content-Security-Policy");
          res.set_header("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'");
          res.set_header("Content-Disposition", download->Disposition());
          res.set_header("Cache-Control", "private, no-store");
          res.set_content_provider(
              static_cast<size_t>(download->size()), download->media_type(),
              [download](size_t offset, size_t length, httplib::DataSink& sink) {
                return download->Write(static_cast<int64_t>(offset), static_cast<int64_t>(length),
                                       [&sink](const char* data, size_t size) {
                                         return sink.is_writable() && sink.write(data, size);
                                       });
              });
        });

  static const char kRpc[] = R"(/api/v1/([A-Za-z0-9_.]{1,128})/([A-Za-z0-9_]{1,64}))";
  s.Post(kRpc, [this, resume, csrf_ok, json_body, purpose_of](const httplib::Request& req, httplib::Response& res) {
    std::optional<Resumed> session = resume(req, res);
    if (!session || !csrf_ok(req, res, *session) || !json_body(req, res)) return;
    const auto* method = transcoder_->Find(req.matches[1].str(), req.matches[2].str());
    if (method == nullptr || method->server_streaming() || method->client_streaming()) {
      Answer(res, RefusalAnswer(grpc::StatusCode::NOT_FOUND, "path", "not an RPC the browser may call",
                                "Deze functie bestaat niet."));
      return;
    }
    std::optional<std::string> purpose = purpose_of(req.get_header_value("X-Hartslag-Purpose"), res);
    if (!purpose) return;
    Answer(res, transcoder_->Unary(*method, req.body, CallMetadataOf(*session, *purpose),
                                   options_.call_timeout));
  });

  s.Get(kRpc, [this, resume, purpose_of](const httplib::Request& req, httplib::Response& res) {
    std::optional<Resumed> session = resume(req, res);
    if (!session) return;
    const auto* method = transcoder_->Find(req.matches[1].str(), req.matches[2].str());
    if (method == nullptr || !method->server_streaming() || method->client_streaming()) {
      Answer(res, RefusalAnswer(grpc::StatusCode::NOT_FOUND, "path", "not a stream the browser may follow",
                                "Deze functie bestaat niet."));
      return;
    }
    std::optional<std::string> purpose = purpose_of(req.get_param_value("purpose"), res);
    if (!purpose) return;
    absl::StatusOr<v1::Session> who = sessions_->Describe(session->cookie);
    std::string user = who.ok() ? absl::StrCat(who->tenant_id(), "/", who->user_id()) : "";
    if (!TakeStream(user)) {
      res.set_header("Retry-After", "10");
      Answer(res, RefusalAnswer(grpc::StatusCode::RESOURCE_EXHAUSTED, "streams", "too many open; retry later",
                                "Het is even te druk. De lijst wordt zo weer bijgewerkt."));
      return;
    }
    auto metadata = std::make_shared<CallMetadata>(
        CallMetadataOf(*session, *purpose));
    auto request = std::make_shared<std::string>(req.get_param_value("request"));
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, method, metadata, request](size_t, httplib::DataSink& sink) {
          // One provider call runs the whole stream: a "ready" event once
          // the service began it, each message one event; the final status,
          // if a refusal, is an "error" event.
          JsonAnswer end = transcoder_->Stream(
              *method, *request, *metadata,
              [&sink](const std::string& name, const std::string& json) {
                std::string event = absl::StrCat(name.empty() ? "" : absl::StrCat("event: ", name, "\n"), "data: ", json,
                                                 "\n\n");
                return sink.is_writable() && sink.write(event.data(), event.size());
              },
              // A comment line every 10 s: proxies keep the stream open,
              // and a browser that left is noticed when the write fails.
              [this, &sink, idle = 0]() mutable {
                if (stopping_ || !sink.is_writable()) return false;
                if (++idle % 10 != 0) return true;
                return sink.write(":\n\n", 3);
              });
          if (end.http_status != 200) {
            std::string event = absl::StrCat("event: error\ndata: ", end.json, "\n\n");
            if (sink.is_writable()) sink.write(event.data(), event.size());
          }
          sink.done();
          return true;
        },
        [this, user](bool) { ReleaseStream(user); });
  });

  // Anything else under /api is not there; never the front end's page. A
  // refused range request (416) keeps an empty body: httplib would cut any
  // body into the ranges it asked for.
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (absl::StartsWith(req.path, "/api/") && res.body.empty() && res.status != 416) {
      int status = res.status;
      Answer(res, RefusalAnswer(res.status == 413 ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::NOT_FOUND,
                                "path", res.status == 413 ? "the body is too large" : "not found",
                                res.status == 413 ? "Het verzoek is te groot." : "Deze functie bestaat niet."));
      res.status = status;
    }
  });
  if (!options_.static_dir.empty()) {
    s.set_mount_point("/", options_.static_dir);
    s.set_file_request_handler(SetCaching);
  }
}

}  // namespace hartslag::web
