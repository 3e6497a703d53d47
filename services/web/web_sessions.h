// Browser sessions on the directory's tokens: log in, resume from the
// sealed cookie (refreshing the access token shortly before it expires),
// log out (revoking the refresh token). The session lives only in the
// cookie; what this class keeps is a short memory of refreshes, so that
// concurrent requests of one browser with the same single-use refresh token
// share one refresh instead of all but one failing.
//
//   WebSessions sessions(auth_stub, std::move(verifier), std::move(sealer));
//   ASSIGN_OR_RETURN(Resumed resumed, sessions.Resume(cookie_value, browser));
//   if (resumed.renewed) ... send resumed.cookie_value back in Set-Cookie
//
// Thread-safe.
#ifndef HARTSLAG_SERVICES_WEB_WEB_SESSIONS_H_
#define HARTSLAG_SERVICES_WEB_WEB_SESSIONS_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/web/v1/web.pb.h"
#include "services/common/token.h"
#include "services/common/trace.h"
#include "services/web/sealed_cookie.h"

namespace hartslag::web {

// The browser's request a directory call is made for: its address (the
// origin in the directory's audit record) and its trace.
struct BrowserRequest {
  std::string address;
  Trace trace;
};

// A session as a request finds it.
struct Resumed {
  v1::SessionCookie cookie;
  // Set when the tokens were renewed: the new sealed cookie to send back.
  std::string renewed_value;
  // The request it was resumed for, whose trace the calls made for it carry.
  BrowserRequest browser;
};

class WebSessions {
 public:
  // Refresh this long before the access token expires.
  static constexpr absl::Duration kRefreshAhead = absl::Seconds(60);
  // A session ends this long after its login, renewed or not: a working day.
  static constexpr absl::Duration kSessionLifetime = absl::Hours(12);

  WebSessions(std::shared_ptr<directory::v1::AuthService::StubInterface> auth, TokenVerifier verifier,
              SealedCookie sealer, absl::Duration call_timeout = absl::Seconds(10))
      : auth_(std::move(auth)),
        verifier_(std::move(verifier)),
        sealer_(std::move(sealer)),
        call_timeout_(call_timeout) {}

  // Logs in at the directory: the new session and its sealed cookie value.
  // The directory's refusal (UNAUTHENTICATED, the same for every reason)
  // comes back as it is.
  absl::StatusOr<std::pair<v1::SessionCookie, std::string>> Login(const v1::LoginRequest& request,
                                                                   const BrowserRequest& browser);

  // The session in `cookie_value`: UNAUTHENTICATED when there is none, it
  // was not sealed by us, it ended, or the directory refused to renew it.
  absl::StatusOr<Resumed> Resume(absl::string_view cookie_value, const BrowserRequest& browser);

  // Revokes the session's refresh token; the cookie is cleared by the caller.
  absl::Status Logout(const v1::SessionCookie& session, const BrowserRequest& browser);

  // What the browser may know of `session`.
  absl::StatusOr<v1::Session> Describe(const v1::SessionCookie& session) const;

  const SealedCookie& sealer() const { return sealer_; }

 private:
  absl::StatusOr<v1::SessionCookie> FromTokens(const directory::v1::TokenResponse& tokens,
                                               const std::string& csrf_token) const;
  absl::StatusOr<v1::SessionCookie> Refresh(const v1::SessionCookie& session, const BrowserRequest& browser);
  std::unique_ptr<grpc::ClientContext> Call(const BrowserRequest& browser) const;

  std::shared_ptr<directory::v1::AuthService::StubInterface> auth_;
  TokenVerifier verifier_;
  SealedCookie sealer_;
  absl::Duration call_timeout_;

  // Refreshes of the last minute, by the hash of the refresh token they
  // used: a concurrent request with the same cookie waits for the first
  // and gets its answer. Entries older than kRefreshMemory are dropped.
  static constexpr absl::Duration kRefreshMemory = absl::Seconds(60);
  struct Flight {
    std::mutex mu;
    bool done ABSL_GUARDED_BY(mu) = false;
    absl::StatusOr<v1::SessionCookie> result ABSL_GUARDED_BY(mu);
    absl::Time started;
  };
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hartslag::web

#endif  // HARTSLAG_SERVICES_WEB_WEB_SESSIONS_H_
