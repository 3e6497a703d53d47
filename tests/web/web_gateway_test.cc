// hartslag-web as a browser meets it: real HTTPS to a real hartslag-web
// process, which calls the real services over mutual TLS.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "hartslag/web/v1/web.pb.h"
#include "nlohmann/json.hpp"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"
#include "services/directory/password.h"
#include "services/web/sealed_cookie.h"
#include "tests/support/deployment.h"
#include "tests/support/heerlen.h"
#include "tests/support/sample_signal.h"
#include "tests/support/test_keys.h"
#include "tests/support/web_process.h"

namespace hartslag::web {
namespace {

using nlohmann::json;

constexpr char kPassword[] = "lang-genoeg-wachtwoord";
constexpr char kCookie[] = "__Host-hartslag";
constexpr char kSubmit[] = "/api/v1/hartslag.intake.v1.SignalService/SubmitSignal";

std::string CookieOf(const httplib::Result& res) {
  std::string set = res->get_header_value("Set-Cookie");
  size_t start = set.find('=') + 1;
  return set.substr(start, set.find(';') - start);
}

class WebGatewayTest : public ::testing::Test {
 protected:
  WebGatewayTest() {
    // A refusal before the body is read closes the connection while the
    // client may still be writing: a browser shrugs, so does this test.
    signal(SIGPIPE, SIG_IGN);
    auto& dir = deployment_.directory_store();
    EXPECT_TRUE(dir.CreateTenant("heerlen", "Gemeente Heerlen").ok());
    directory::v1::Organisation org;
    org.set_organisation_id("straatcoaches");
    org.set_name("Straatcoaches");
    org.set_kind(common::v1::ORGANISATION_KIND_MUNICIPALITY);
    EXPECT_TRUE(dir.CreateOrganisation("heerlen", org, testing::Unaudited()).ok());
    directory::v1::Area area;
    area.set_area_id("heerlen-noord");
    area.set_name("Heerlen-Noord");
    EXPECT_TRUE(dir.CreateArea("heerlen", area, testing::Unaudited()).ok());
    directory::v1::User coach;
    coach.set_user_id("sam.straatcoach");
    coach.set_organisation_id("straatcoaches");
    coach.set_display_name("Sam");
    coach.add_roles("REPORTER");
    coach.add_areas("heerlen-noord");
    EXPECT_TRUE(dir.CreateUser("heerlen", coach, *directory::HashPassword(kPassword), testing::Unaudited()).ok());

    // A front end of two files, as clients/web/build.mjs names them.
    static_dir_ = std::filesystem::temp_directory_path() / ("web-static-" + HexEncode(RandomBytes(6)));
    std::filesystem::create_directories(static_dir_);
    std::ofstream(static_dir_ + "/index.html") << "<!doctype html><title>Hartslag</title>";
    std::ofstream(static_dir_ + "/app-ABCD1234.js") << "console.log('plain');";
    web_ = std::make_unique<testing::WebProcess>(HARTSLAG_WEB_BINARY, deployment_, static_dir_);
    key_ = web_->session_key();
  }
  ~WebGatewayTest() override { std::filesystem::remove_all(static_dir_); }

  std::unique_ptr<httplib::SSLClient> Browser() {
    auto client = std::make_unique<httplib::SSLClient>("localhost", web_->port());
    client->set_ca_cert_path((testing::CertsDir() + "/ca.pem").c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(20, 0);
    return client;
  }

  // Logs the coach in: the cookie value and the CSRF token.
  std::pair<std::string, std::string> LogIn() {
    auto res = Browser()->Post("/api/v1/session",
                               R"({"tenantId":"heerlen","userId":"sam.straatcoach","password":"lang-genoeg-wachtwoord"})",
                               "application/json");
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : httplib::to_string(res.error()));
    if (!res || res->status != 200) return {};
    return {CookieOf(res), json::parse(res->body).value("csrfToken", "")};
  }

  httplib::Headers Headers(const std::string& cookie, const std::string& csrf = "") {
    httplib::Headers headers = {{"Cookie", std::string(kCookie) + "=" + cookie}};
    if (!csrf.empty()) headers.emplace("X-CSRF-Token", csrf);
    return headers;
  }

  std::string SignalJson() {
    std::string body;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(testing::SampleSignal(), &body).ok());
    return body;
  }

  int SignalsIn(const std::string& cookie, const std::string& csrf) {
    auto res = Browser()->Post("/api/v1/hartslag.intake.v1.SignalService/ListSignals", Headers(cookie, csrf), "{}",
                               "application/json");
    EXPECT_TRUE(res && res->status == 200);
    if (!res || res->status != 200) return -1;
    json listed = json::parse(res->body);
    return listed.contains("signals") ? static_cast<int>(listed["signals"].size()) : 0;
  }

  // A cookie as the gateway would seal it, with `edit` applied.
  std::string Forge(const std::string& cookie, const std::function<void(v1::SessionCookie&)>& edit) {
    auto sealer = *SealedCookie::FromKey(key_, kCookie);
    v1::SessionCookie session;
    EXPECT_TRUE(session.ParseFromString(*sealer.Open(cookie)));
    edit(session);
    return sealer.Seal(session.SerializeAsString());
  }

  // The audit record of `object_id` in Heerlen's log, once it arrived
  // (the services deliver through their outboxes); empty after 20 s.
  audit::v1::AuditEvent RecordOf(const std::string& object_id) {
    audit::EventQuery query;
    query.log_id = "heerlen";
    query.object_id = object_id;
    audit::v1::AuditEvent event;
    for (absl::Time give_up = absl::Now() + absl::Seconds(20); absl::Now() < give_up;) {
      auto found = deployment_.audit_store().Query(query, absl::InfiniteFuture());
      if (found.ok() && !found->empty() && event.ParseFromString(found->front().bytes)) return event;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return audit::v1::AuditEvent();
  }

  // Peter of the police, a partner.
  void AddPolice() {
    auto& dir = deployment_.directory_store();
    directory::v1::Organisation police;
    police.set_organisation_id("politie");
    police.set_name("Politie");
    police.set_kind(common::v1::ORGANISATION_KIND_POLICE);
    ASSERT_TRUE(dir.CreateOrganisation("heerlen", police, testing::Unaudited()).ok());
    directory::v1::User peter;
    peter.set_user_id("peter.politie");
    peter.set_organisation_id("politie");
    peter.set_display_name("Peter");
    peter.add_roles("PARTNER");
    ASSERT_TRUE(dir.CreateUser("heerlen", peter, *directory::HashPassword(kPassword), testing::Unaudited()).ok());
  }
  httplib::Result PoliceLogIn() {
    return Browser()->Post("/api/v1/session",
                           R"({"tenantId":"heerlen","userId":"peter.politie","password":"lang-genoeg-wachtwoord"})",
                           "application/json");
  }

  // Sends `request` as it is over TLS and returns what comes back within 10 s.
  std::string Raw(const std::string& request) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, (testing::CertsDir() + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    BIO* bio = BIO_new_ssl_connect(ctx);
    BIO_set_conn_hostname(bio, absl::StrCat("localhost:", web_->port()).c_str());
    SSL* ssl = nullptr;
    BIO_get_ssl(bio, &ssl);
    SSL_set_tlsext_host_name(ssl, "localhost");
    std::string answer;
    if (BIO_do_connect(bio) == 1 && BIO_write(bio, request.data(), static_cast<int>(request.size())) > 0) {
      int fd = -1;
      BIO_get_fd(bio, &fd);
      timeval timeout{10, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
      char buffer[4096];
      int n;
      while ((n = BIO_read(bio, buffer, sizeof(buffer))) > 0) {
        answer.append(buffer, n);
        if (answer.find("\r\n\r\n") != std::string::npos) break;
      }
    }
    BIO_free_all(bio);
    SSL_CTX_free(ctx);
    return answer;
  }
  static std::string StatusLine(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }

  testing::Deployment deployment_;
  std::string static_dir_, key_;
  std::unique_ptr<testing::WebProcess> web_;
};

TEST_F(WebGatewayTest, LoggingInSetsAHostOnlySecureHttpOnlyStrictCookieAndDescribesTheUser) {
  auto res = Browser()->Post("/api/v1/session",
                             R"({"tenantId":"heerlen","userId":"sam.straatcoach","password":"lang-genoeg-wachtwoord"})",
                             "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  std::string set = res->get_header_value("Set-Cookie");
  EXPECT_EQ(set.rfind("__Host-hartslag=", 0), 0u) << set;
  for (const char* attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
    EXPECT_NE(set.find(attribute), std::string::npos) << attribute << " in " << set;
  }
  EXPECT_EQ(set.find("Domain="), std::string::npos) << "a __Host- cookie names no domain";
  json session = json::parse(res->body);
  EXPECT_EQ(session["userId"], "sam.straatcoach");
  EXPECT_EQ(session["organisationId"], "straatcoaches");
  EXPECT_EQ(session["displayName"], "Sam");
  EXPECT_EQ(session["organisationName"], "Straatcoaches");
  EXPECT_EQ(session["roles"], json::array({"REPORTER"}));
  EXPECT_GE(session["csrfToken"].get<std::string>().size(), 40u);
  EXPECT_EQ(session.count("accessToken"), 0u) << "the browser never sees a token";

  auto again = Browser()->Get("/api/v1/session", Headers(CookieOf(res)));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  json described = json::parse(again->body);
  EXPECT_EQ(described["csrfToken"], session["csrfToken"]);
  EXPECT_EQ(described["displayName"], "Sam");
  EXPECT_EQ(described["organisationName"], "Straatcoaches");

  auto wrong = Browser()->Post("/api/v1/session",
                               R"({"tenantId":"heerlen","userId":"sam.straatcoach","password":"fout-wachtwoord-1"})",
                               "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_TRUE(wrong->get_header_value("Set-Cookie").empty());
  EXPECT_NE(wrong->body.find("nl-NL"), std::string::npos) << wrong->body;
}

TEST_F(WebGatewayTest, EveryAnswerCarriesTheSecurityHeaders) {
  auto [cookie, csrf] = LogIn();
  auto api = Browser()->Get("/api/v1/session", Headers(cookie));
  auto missing = Browser()->Get("/api/v1/nothing/here", Headers(cookie));
  auto refused = Browser()->Post(kSubmit, Headers(cookie), SignalJson(), "application/json");
  for (const auto* res : {&api, &missing, &refused}) {
    ASSERT_TRUE(*res);
    const httplib::Response& r = **res;
    std::string csp = r.get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_NE(r.get_header_value("Strict-Transport-Security").find("max-age="), std::string::npos);
    EXPECT_EQ(r.get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.get_header_value("Referrer-Policy"), "no-referrer");
  }
  EXPECT_EQ(missing->status, 404);
}

TEST_F(WebGatewayTest, AnRpcOnTheAllowListRunsAsTheUserAndTheAuditSaysViaWeb) {
  auto [cookie, csrf] = LogIn();
  auto res = Browser()->Post(kSubmit, Headers(cookie, csrf), SignalJson(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json submitted = json::parse(res->body);
  std::string signal_id = submitted["signal"]["signalId"];
  EXPECT_EQ(submitted["signal"]["reporter"]["userId"], "sam.straatcoach") << res->body;

  // The services saw the coach's own token, and recorded the browser's address.
  audit::v1::AuditEvent event = RecordOf(signal_id);
  EXPECT_EQ(event.actor().user_id(), "sam.straatcoach");
  std::string origin = event.origin().peer_address();
  EXPECT_EQ(origin.rfind("127.0.0.1 via web (", 0), 0u) << origin;
}

// The browser's (or its proxy's) trace goes with the call: the service logs
// and audits it under the browser's X-Request-Id, or the trace id of a W3C
// traceparent when it sent only that.
TEST_F(WebGatewayTest, TheBrowsersRequestIdOrTraceparentIsTheTraceIdOfTheServicesRecord) {
  auto [cookie, csrf] = LogIn();
  httplib::Headers with_id = Headers(cookie, csrf);
  with_id.emplace("X-Request-Id", "browser-req-0001");
  auto res = Browser()->Post(kSubmit, with_id, SignalJson(), "application/json");
  ASSERT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
  EXPECT_EQ(RecordOf(json::parse(res->body)["signal"]["signalId"]).trace_id(), "browser-req-0001");

  const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  httplib::Headers with_traceparent = Headers(cookie, csrf);
  with_traceparent.emplace("traceparent", traceparent);
  res = Browser()->Post(kSubmit, with_traceparent, SignalJson(), "application/json");
  ASSERT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
  EXPECT_EQ(RecordOf(json::parse(res->body)["signal"]["signalId"]).trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");

  // Logging in is the web's own call to the directory, for the browser.
  httplib::Headers login_headers = {{"X-Request-Id", "browser-login-0001"}, {"traceparent", traceparent}};
  auto login = Browser()->Post("/api/v1/session", login_headers,
                               R"({"tenantId":"heerlen","userId":"sam.straatcoach","password":"lang-genoeg-wachtwoord"})",
                               "application/json");
  ASSERT_TRUE(login && login->status == 200) << (login ? login->body : "no answer");
  EXPECT_TRUE(deployment_.directory().LoggedCall("Login", "browser-login-0001", traceparent))
      << deployment_.directory().Log();
}

TEST_F(WebGatewayTest, OneUserHoldsAtMostThreeEventStreams) {
  AddPolice();
  auto login = PoliceLogIn();
  ASSERT_TRUE(login && login->status == 200);
  const std::string cookie = CookieOf(login);
  const std::string path =
      "/api/v1/hartslag.cases.v1.ActionService/WatchActions?purpose=ACTION_EXECUTION&request=%7B%7D";
  // Three streams with nothing to tell stay open until their readers give up.
  std::vector<std::thread> watchers;
  std::atomic<int> opened{0};
  for (int i = 0; i < 3; ++i) {
    watchers.emplace_back([&] {
      auto client = Browser();
      client->set_read_timeout(4, 0);
      client->Get(path, Headers(cookie), [&](const httplib::Response& r) {
        if (r.status == 200) ++opened;
        return true;
      }, [](const char*, size_t) { return true; });
    });
  }
  for (absl::Time give_up = absl::Now() + absl::Seconds(3); opened < 3 && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(opened, 3);
  // The operator sees them on the gateway's metrics.
  const std::string metrics = testing::HttpGet(web_->metrics_port(), "/metrics");
  EXPECT_NE(metrics.find("\nhartslag_web_event_streams 3\n"), std::string::npos) << metrics;
  auto fourth = Browser()->Get(path, Headers(cookie));
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->status, 429) << fourth->body;
  EXPECT_EQ(fourth->get_header_value("Retry-After"), "10");
  for (auto& w : watchers) w.join();
  const std::string after = testing::HttpGet(web_->metrics_port(), "/metrics");
  EXPECT_NE(after.find("hartslag_web_http_responses_total{code=\"429\"} 1\n"), std::string::npos) << after;
  EXPECT_NE(after.find("hartslag_web_http_responses_total{code=\"200\"}"), std::string::npos) << after;
}

TEST_F(WebGatewayTest, OnlyTheGatewaysCertificateMayNameTheBrowsersAddress) {
  // A partner system (its own client certificate) claiming a browser.
  auto intake = intake::v1::SignalService::NewStub(deployment_.Channel(deployment_.intake(), "politie-bvh"));
  auto call = deployment_.Call(deployment_.Token(testing::ClaimsFor(
      "sam.straatcoach", "straatcoaches", "MUNICIPALITY", {"REPORTER"}, {"heerlen-noord"})));
  call->AddMetadata("x-hartslag-forwarded-for", "203.0.113.9");
  intake::v1::SubmitSignalResponse submitted;
  ASSERT_TRUE(intake->SubmitSignal(call.get(), testing::SampleSignal(), &submitted).ok());
  std::string origin = RecordOf(submitted.signal().signal_id()).origin().peer_address();
  EXPECT_FALSE(origin.empty());
  EXPECT_EQ(origin.find("203.0.113.9"), std::string::npos) << origin;
  EXPECT_EQ(origin.find("via web"), std::string::npos) << origin;
}

TEST_F(WebGatewayTest, WithoutTheSessionsCsrfTokenNothingReachesAService) {
  auto [cookie, csrf] = LogIn();
  int before = SignalsIn(cookie, csrf);
  for (const std::string& token : {std::string(), std::string("geraden"), csrf.substr(1) + "x"}) {
    auto res = Browser()->Post(kSubmit, Headers(cookie, token), SignalJson(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << res->body;
    EXPECT_NE(res->body.find("X-CSRF-Token"), std::string::npos) << res->body;
  }
  auto other = LogIn();
  auto crossed = Browser()->Post(kSubmit, Headers(cookie, other.second), SignalJson(), "application/json");
  ASSERT_TRUE(crossed);
  EXPECT_EQ(crossed->status, 403) << "a CSRF token is bound to its own session";
  auto form = Browser()->Post(kSubmit, Headers(cookie, csrf), "a=b", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 400);
  EXPECT_EQ(SignalsIn(cookie, csrf), before);
}

TEST_F(WebGatewayTest, ARefusalIsTheGoogleRpcStatusWithFieldViolationsAndDutch) {
  auto [cookie, csrf] = LogIn();
  auto res = Browser()->Post(kSubmit, Headers(cookie, csrf),
                             R"({"requestId":"not-a-uuid","areaId":"vrieheide","categoryId":"afval-dumping"})",
                             "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  json status = json::parse(res->body);
  EXPECT_EQ(status["code"], 3);
  std::set<std::string> fields;
  std::string dutch;
  for (const json& detail : status["details"]) {
    if (detail["@type"] == "type.googleapis.com/google.rpc.BadRequest") {
      for (const json& v : detail["fieldViolations"]) fields.insert(v["field"].get<std::string>());
    }
    if (detail["@type"] == "type.googleapis.com/google.rpc.LocalizedMessage") {
      EXPECT_EQ(detail["locale"], "nl-NL");
      dutch = detail["message"];
    }
  }
  EXPECT_TRUE(fields.contains("request_id")) << res->body;
  EXPECT_TRUE(fields.contains("description")) << res->body;
  EXPECT_FALSE(dutch.empty()) << res->body;

  auto unknown = Browser()->Post(kSubmit, Headers(cookie, csrf), R"({"sneaky": true})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("sneaky"), std::string::npos) << "an unknown field is named: " << unknown->body;
}

TEST_F(WebGatewayTest, ThePagesOfAnotherSiteReachNoApi) {
  auto [cookie, csrf] = LogIn();
  for (const char* site : {"cross-site", "same-site"}) {
    httplib::Headers headers = Headers(cookie, csrf);
    headers.emplace("Sec-Fetch-Site", site);
    auto stream = Browser()->Get("/api/v1/hartslag.cases.v1.ActionService/WatchActions?request=%7B%7D", headers);
    ASSERT_TRUE(stream);
    EXPECT_EQ(stream->status, 403) << site;
    auto login = Browser()->Post("/api/v1/session", headers, R"({"tenantId":"heerlen"})", "application/json");
    ASSERT_TRUE(login);
    EXPECT_EQ(login->status, 403) << site;
  }
  httplib::Headers own = Headers(cookie);
  own.emplace("Sec-Fetch-Site", "same-origin");
  auto session = Browser()->Get("/api/v1/session", own);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200);
}

TEST_F(WebGatewayTest, AnRpcOffTheAllowListIsNotFoundAndReachesNoService) {
  auto [cookie, csrf] = LogIn();
  for (const char* path : {"/api/v1/hartslag.audit.v1.AuditService/Append",
                           "/api/v1/hartslag.intake.v1.TriageFeedService/RecordTriageOutcomes",
                           "/api/v1/hartslag.directory.v1.AuthService/Login",
                           "/api/v1/hartslag.directory.v1.LookupService/ListTenants",
                           "/api/v1/hartslag.operations.v1.OperationsService/ListDeadLetters",
                           "/api/v1/hartslag.cases.v1.ActionService/WatchActions"}) {
    auto res = Browser()->Post(path, Headers(cookie, csrf), "{}", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path << ": " << res->body;
  }
}

TEST_F(WebGatewayTest, AnOversizedChunkedOrCompressedBodyIsRefusedBeforeItIsRead) {
  auto [cookie, csrf] = LogIn();
  std::string head = absl::StrCat("POST ", kSubmit, " HTTP/1.1\r\nHost: localhost\r\nCookie: ", kCookie, "=",
                                  cookie, "\r\nX-CSRF-Token: ", csrf, "\r\nContent-Type: application/json\r\n");
  // Only the headers are sent: the answer must come without the body.
  EXPECT_EQ(StatusLine(Raw(head + "Content-Length: 10485760\r\n\r\n")), "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(StatusLine(Raw(head + "Transfer-Encoding: chunked\r\n\r\n")), "HTTP/1.1 411 Length Required");
  EXPECT_EQ(StatusLine(Raw(head + "Content-Encoding: gzip\r\nContent-Length: 20\r\n\r\n")),
            "HTTP/1.1 415 Unsupported Media Type");
  EXPECT_EQ(StatusLine(Raw(head + "\r\n")), "HTTP/1.1 411 Length Required") << "no length, no read until close";
  EXPECT_EQ(StatusLine(Raw(head + "Expect: 100-continue\r\nContent-Length: 10485760\r\n\r\n")),
            "HTTP/1.1 413 Payload Too Large");
}

// A file of intake's test photos and documents (tests/intake/testdata).
std::string TestFile(const std::string& name) {
  std::ifstream in(std::filesystem::path(__FILE__).parent_path().parent_path() / "intake" / "testdata" / name,
                   std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Base64(const std::string& bytes) {
  std::string encoded;
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    encoded += kAlphabet[(n >> 18) & 63];
    encoded += kAlphabet[(n >> 12) & 63];
    encoded += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    encoded += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return encoded;
}

TEST_F(WebGatewayTest, AnAttachmentGoesUpInChunksOfAMebibyteAndComesBackAsWhatItIsInASandbox) {
  auto [cookie, csrf] = LogIn();
  auto submitted = Browser()->Post(kSubmit, Headers(cookie, csrf), SignalJson(), "application/json");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 200) << submitted->body;
  const std::string signal_id = json::parse(submitted->body)["signal"]["signalId"];
  auto upload = [&, cookie = cookie, csrf = csrf](const std::string& name, const std::string& bytes, bool last,
                                                  const std::string& upload_id) {
    json chunk = {{"signalId", signal_id}, {"uploadId", upload_id}, {"fileName", name},
                  {"offset", 0},           {"data", Base64(bytes)},  {"last", last}};
    return Browser()->Post("/api/v1/hartslag.intake.v1.SignalService/UploadAttachment", Headers(cookie, csrf),
                           chunk.dump(), "application/json");
  };

  // A whole chunk of 1 MiB, in base64 in its JSON, fits the body limit.
  auto whole = upload("groot.jpg", RandomBytes(1 << 20), false, RandomUuid());
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->status, 200) << whole->body;
  EXPECT_EQ(json::parse(whole->body)["receivedBytes"], "1048576");

  // A PDF is saved, not shown; a photo is shown. Both in a sandbox of their
  // own, never sniffed, never cached beyond the session.
  const std::string pdf = TestFile("letter.pdf");
  const std::string png = TestFile("screenshot_text.png");
  ASSERT_FALSE(pdf.empty());
  for (const auto& [name, bytes, type, disposition] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"brief aan \"Bewoner\".pdf", pdf, "application/pdf",
            "attachment; filename=\"brief aan _Bewoner_.pdf\"; filename*=UTF-8''brief%20aan%20%22Bewoner%22.pdf"},
           {"schets één.png", png, "image/png",
            "inline; filename=\"schets ____n.png\"; filename*=UTF-8''schets%20%C3%A9%C3%A9n.png"}}) {
    auto done = upload(name, bytes, true, RandomUuid());
    ASSERT_TRUE(done);
    ASSERT_EQ(done->status, 200) << done->body;
    const std::string attachment_id = json::parse(done->body)["attachment"]["attachmentId"];
    const std::string path = absl::StrCat("/api/v1/signals/", signal_id, "/attachments/", attachment_id);
    auto read = Browser()->Get(path, Headers(cookie));
    ASSERT_TRUE(read);
    ASSERT_EQ(read->status, 200) << read->body;
    EXPECT_EQ(read->get_header_value("Content-Type"), type);
    // As sent (httplib's client decodes %XX in what it reads).
    std::string head = Raw(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: localhost\r\nCookie: ", kCookie, "=",
                                        cookie, "\r\nConnection: close\r\n\r\n"));
    EXPECT_NE(head.find(absl::StrCat("\r\nContent-Disposition: ", disposition, "\r\n")), std::string::npos) << head;
    EXPECT_EQ(read->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(read->get_header_value("Cache-Control"), "private, no-store");
    EXPECT_EQ(read->get_header_value_count("Content-Security-Policy"), 1u);
    EXPECT_EQ(read->get_header_value("Content-Security-Policy"), "default-src 'none'; sandbox; frame-ancestors 'none'");
    EXPECT_EQ(read->get_header_value("Content-Length"), absl::StrCat(read->body.size()));
    if (type == "application/pdf") {
      EXPECT_EQ(read->body, pdf) << "a PDF is stored as it came";
      // A viewer may read a part; a request for many parts would be a read
      // of the attachment (and an audit record) per part.
      httplib::Headers part = Headers(cookie);
      part.emplace("Range", "bytes=4-11");
      auto ranged = Browser()->Get(path, part);
      ASSERT_TRUE(ranged);
      EXPECT_EQ(ranged->status, 206);
      EXPECT_EQ(ranged->body, pdf.substr(4, 8));
      httplib::Headers parts = Headers(cookie);
      parts.emplace("Range", "bytes=0-0,4-4,0-0");
      auto refused = Browser()->Get(path, parts);
      ASSERT_TRUE(refused);
      EXPECT_EQ(refused->status, 416) << "not one read per part";
      EXPECT_TRUE(refused->body.empty()) << refused->body;
    }
    EXPECT_EQ(read->body.substr(1, 3), type == "image/png" ? "PNG" : "PDF");

    // Nobody without the session; nothing that is not there.
    auto anonymous = Browser()->Get(path);
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401);
    EXPECT_NE(anonymous->body.find("Log opnieuw in"), std::string::npos) << anonymous->body;
  }
  auto missing = Browser()->Get(absl::StrCat("/api/v1/signals/", signal_id, "/attachments/", RandomUuid()),
                                Headers(cookie));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("Content-Type"), "application/json");
  EXPECT_NE(missing->body.find("nl-NL"), std::string::npos) << missing->body;
}

TEST_F(WebGatewayTest, AnEndedForgedOrMissingSessionAsksToLogInAgain) {
  auto [cookie, csrf] = LogIn();
  std::string ended = Forge(cookie, [](v1::SessionCookie& s) {
    *s.mutable_session_expires_at() = TimeToProto(absl::Now() - absl::Minutes(1));
  });
  std::string tampered = cookie;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  for (const std::string& value : {ended, tampered, std::string(), std::string("x")}) {
    auto res = Browser()->Post(kSubmit, Headers(value, csrf), SignalJson(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << res->body;
    EXPECT_NE(res->body.find("Log opnieuw in"), std::string::npos) << res->body;
  }
}

TEST_F(WebGatewayTest, AnAccessTokenDueForRenewalIsRefreshedOnceForConcurrentRequests) {
  auto [cookie, csrf] = LogIn();
  std::string due = Forge(cookie, [](v1::SessionCookie& s) {
    *s.mutable_access_expires_at() = TimeToProto(absl::Now());  // within the refresh margin
    s.clear_display_name();  // the renewal names the user again
    s.clear_organisation_name();
  });
  constexpr int kConcurrent = 6;
  std::vector<std::string> renewed(kConcurrent);
  std::vector<int> statuses(kConcurrent);
  std::vector<std::thread> browsers;
  for (int i = 0; i < kConcurrent; ++i) {
    browsers.emplace_back([&, i] {
      auto res = Browser()->Get("/api/v1/session", Headers(due));
      statuses[i] = res ? res->status : -1;
      if (res) renewed[i] = CookieOf(res);
    });
  }
  for (auto& b : browsers) b.join();
  auto sealer = *SealedCookie::FromKey(key_, kCookie);
  std::set<std::string> refresh_tokens;
  for (int i = 0; i < kConcurrent; ++i) {
    EXPECT_EQ(statuses[i], 200) << "request " << i;
    v1::SessionCookie session;
    ASSERT_TRUE(session.ParseFromString(sealer.Open(renewed[i]).value_or(""))) << "request " << i;
    EXPECT_GT(absl::FromUnixSeconds(session.access_expires_at().seconds()), absl::Now() + absl::Minutes(5));
    EXPECT_EQ(session.display_name(), "Sam");
    EXPECT_EQ(session.organisation_name(), "Straatcoaches");
    refresh_tokens.insert(session.refresh_token());
  }
  EXPECT_EQ(refresh_tokens.size(), 1u) << "one refresh, shared";
}

TEST_F(WebGatewayTest, LoggingOutNeedsTheCsrfTokenClearsTheCookieAndRevokesTheRefreshToken) {
  auto [cookie, csrf] = LogIn();
  auto refused = Browser()->Delete("/api/v1/session", Headers(cookie));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  auto res = Browser()->Delete("/api/v1/session", Headers(cookie, csrf));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  std::string set = res->get_header_value("Set-Cookie");
  EXPECT_NE(set.find("__Host-hartslag=;"), std::string::npos) << set;
  EXPECT_NE(set.find("Max-Age=0"), std::string::npos) << set;

  auto sealer = *SealedCookie::FromKey(key_, kCookie);
  v1::SessionCookie session;
  ASSERT_TRUE(session.ParseFromString(*sealer.Open(cookie)));
  directory::v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(session.refresh_token());
  directory::v1::TokenResponse tokens;
  auto auth = directory::v1::AuthService::NewStub(deployment_.Channel(deployment_.directory()));
  EXPECT_EQ(auth->RefreshToken(deployment_.Call().get(), refresh, &tokens).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(WebGatewayTest, AServerStreamArrivesAsServerSentEvents) {
  AddPolice();
  RequestContext opener;
  opener.tenant = "heerlen";
  opener.user = "carla.coordinator";
  cases::v1::Case c;
  c.set_kind(cases::v1::CASE_KIND_LEEFBAARHEID);
  c.set_title("Overlastpand");
  c.mutable_area()->set_area_id("vrieheide");
  c.set_process_coordinator("carla.coordinator");
  c.add_participating_organisations("politie");
  c.set_confidentiality(cases::v1::CONFIDENTIALITY_INTERN);
  auto opened = deployment_.SeedCase(opener, c);
  ASSERT_TRUE(opened.ok()) << opened.status();
  cases::v1::Action action;
  action.set_action_id(RandomUuid());
  action.set_case_id(opened->case_id());
  action.set_description("Extra surveillance <script>alert(1)</script>");
  action.add_organisation_ids("politie");
  action.set_due_date("2099-01-01");
  action.set_status(cases::v1::ACTION_STATUS_OPEN);
  ASSERT_TRUE(deployment_.SeedAction(opener, action).ok());

  auto login = PoliceLogIn();
  ASSERT_TRUE(login && login->status == 200);
  std::string events;
  auto stream = Browser()->Get(
      "/api/v1/hartslag.cases.v1.ActionService/WatchActions?purpose=ACTION_EXECUTION"
      "&request=%7B%22fromBeginning%22%3Atrue%7D",
      Headers(CookieOf(login)), [&](const char* data, size_t length) {
        events.append(data, length);
        std::vector<std::string> whole = absl::StrSplit(events, "\n\n");
        return whole.size() < 3;  // "ready" and the first action are enough
      });
  // First the service began the stream, then the action.
  std::vector<std::string> whole = absl::StrSplit(events, "\n\n");
  ASSERT_GE(whole.size(), 3u) << events;
  ASSERT_EQ(whole[0].rfind("event: ready\ndata: ", 0), 0u) << events;
  EXPECT_TRUE(json::parse(whole[0].substr(19)).is_object()) << events;
  ASSERT_EQ(whole[1].rfind("data: ", 0), 0u) << events;
  json event = json::parse(whole[1].substr(6));
  EXPECT_EQ(event["action"]["actionId"], action.action_id()) << events;
  EXPECT_EQ(event["action"]["description"], action.description()) << "text, as it is: " << events;

  auto without_purpose = Browser()->Get("/api/v1/hartslag.cases.v1.ActionService/WatchActions?request=%7B%7D",
                                        Headers(CookieOf(login)));
  ASSERT_TRUE(without_purpose);
  EXPECT_NE(without_purpose->body.find("event: error"), std::string::npos) << without_purpose->body;
  EXPECT_NE(without_purpose->body.find("x-hartslag-purpose"), std::string::npos) << without_purpose->body;
}

TEST_F(WebGatewayTest, TheFrontEndIsCachedByItsHashAndSentCompressedToBrowsersThatTakeIt) {
  auto page = Browser()->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<!doctype html><title>Hartslag</title>");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache") << "the page that names the files, asked again";
  EXPECT_EQ(page->get_header_value("Content-Security-Policy").find("default-src 'self'"), 0u);

  auto script = Browser()->Get("/app-ABCD1234.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->body, "console.log('plain');");
  EXPECT_EQ(script->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");

  for (const char* encoding : {"gzip", "br"}) {
    std::string compressed = Raw(absl::StrCat("GET /app-ABCD1234.js HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: ",
                                              encoding, "\r\nConnection: close\r\n\r\n"));
    EXPECT_EQ(StatusLine(compressed), "HTTP/1.1 200 OK") << compressed;
    EXPECT_NE(compressed.find(absl::StrCat("Content-Encoding: ", encoding, "\r\n")), std::string::npos) << compressed;
    EXPECT_EQ(compressed.find("console.log"), std::string::npos) << compressed;
  }
}

}  // namespace
}  // namespace hartslag::web
