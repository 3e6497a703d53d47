// hartslag-web's HTTPS server: the front end's static files, the session
// endpoints and the JSON API, with the same headers on every answer.
//
//   POST   /api/v1/session                      log in (LoginRequest JSON); sets the cookie
//   GET    /api/v1/session                      who is logged in, with the CSRF token
//   DELETE /api/v1/session                      log out (CSRF); clears the cookie
//   POST   /api/v1/<full.Service>/<Method>      a unary RPC on the allow-list (CSRF)
//   GET    /api/v1/<full.Service>/<Method>?request=<json>&purpose=<P>
//                                               a server stream as Server-Sent Events
//   GET    /api/v1/signals/<id>/attachments/<id>[?purpose=<P>]
//                                               a signal's photo or document (ReadAttachment)
//   GET    /...                                 the front end (static files)
//
// With a map (map_tiles), the session's answer names the tile URL template
// and the CSP allows images from the tile server's origin. With the audit
// log's public key, the session's answer carries it too.
//
// The gateway decides nothing: every call carries the user's own token, the
// purpose the screen declares (X-Hartslag-Purpose) and the browser's address;
// the services apply every rule.
#ifndef HARTSLAG_SERVICES_WEB_WEB_SERVER_H_
#define HARTSLAG_SERVICES_WEB_WEB_SERVER_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/web/transcoder.h"
#include "services/web/web_sessions.h"

namespace httplib {
class SSLServer;
}

namespace hartslag::web {

struct WebServerOptions {
  std::string listen = "127.0.0.1:7400";
  std::string cert_file, key_file;  // the server's TLS certificate and key
  std::string static_dir;           // the built front end (clients/web/dist)
  // Larger bodies are 413, no service asked. Room for the largest request:
  // an attachment's chunk of 1 MiB is 1.34 MiB in base64, in its JSON.
  size_t max_body_bytes = 3 << 19;
  int threads = 64;                 // connections served at once
  int max_streams = 32;             // event streams open at once (each holds a thread)
  int max_streams_per_user = 3;     // of which one user may hold
  absl::Duration io_timeout = absl::Seconds(10);  // a slower client is dropped
  absl::Duration call_timeout = absl::Seconds(15);
  // The map's tile URL template (https, with {z}, {x} and {y}); empty: no
  // map. Its origin is the only other place images may come from (CSP).
  std::string map_tiles;
  // The audit log's tree-head public key (DER SubjectPublicKeyInfo), handed
  // to the browser with the session; empty: not configured.
  std::string audit_public_key;
};

// The origin ("https://host[:port]") of a tile URL template, or
// INVALID_ARGUMENT naming map-tiles when it is not an https URL with {z},
// {x} and {y}.
absl::StatusOr<std::string> TileOrigin(const std::string& url_template);

class WebServer {
 public:
  WebServer(WebServerOptions options, const Transcoder* transcoder, WebSessions* sessions);
  ~WebServer();

  // Binds the listen address; the port is known after (port()).
  absl::Status Bind();
  // Serves until Stop; an error if accepting failed otherwise.
  absl::Status Serve();
  void Stop();
  int port() const { return port_; }

  // For the metrics endpoint: event streams open now, and the answers given
  // since start by HTTP status code.
  int OpenStreams();
  std::map<int, uint64_t> Answers();

 private:
  void Routes();
  // A place for one more event stream of `user`, or false when the user or
  // the server has as many as allowed.
  bool TakeStream(const std::string& user);
  void ReleaseStream(const std::string& user);

  WebServerOptions options_;
  const Transcoder* transcoder_;
  WebSessions* sessions_;
  std::unique_ptr<httplib::SSLServer> server_;
  // std::mutex, as everywhere in the services: ThreadSanitizer sees it, and
  // not Debian's uninstrumented absl::Mutex.
  std::mutex streams_mu_;
  int streams_ ABSL_GUARDED_BY(streams_mu_) = 0;
  std::map<std::string, int> streams_of_ ABSL_GUARDED_BY(streams_mu_);
  std::mutex answers_mu_;
  std::map<int, uint64_t> answers_ ABSL_GUARDED_BY(answers_mu_);
  std::atomic<bool> stopping_{false};  // open streams end within a second
  int port_ = 0;
};

}  // namespace hartslag::web

#endif  // HARTSLAG_SERVICES_WEB_WEB_SERVER_H_
