// Where a client's bearer token comes from, kept fresh: each source hands out
// its current token and fetches a new one shortly before it expires (or at
// once after a service refused it), so that long-running integrations never
// present an expired token.
//
//   // A person, by password (the refresh token renews it; the password is
//   // used again only when the refresh token no longer works):
//   ASSIGN_OR_RETURN(TokenSourcePtr tokens,
//                    PasswordLogin(directory, {"heerlen", "sanne.coach", password}));
//   // An integrated partner system over mutual TLS, acting for one of its
//   // organisation's users:
//   TokenSourcePtr tokens = IntegratedClientToken(directory_mtls, "peter.politie");
//   // The file `hartslag login --save FILE` wrote (renewed with FILE.refresh
//   // when a directory channel is given, else read again when it nears expiry):
//   TokenSourcePtr tokens = SavedTokenFile("/home/sanne/.hartslag-token", directory);
//
//   ASSIGN_OR_RETURN(std::string token, tokens->Token());
//
// Every source is thread-safe; concurrent callers share one fetch. Tokens are
// credentials: sources never log them.
#ifndef HARTSLAG_CLIENTS_CPP_TOKEN_SOURCE_H_
#define HARTSLAG_CLIENTS_CPP_TOKEN_SOURCE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hartslag::client {

class TokenSource {
 public:
  virtual ~TokenSource() = default;

  // A token that is valid for a while yet. When fetching a new one fails
  // while the current one is still valid, the current one is returned.
  virtual absl::StatusOr<std::string> Token() = 0;
  // Tells the source that a service refused `token` (UNAUTHENTICATED): the
  // next Token() fetches a new one. A token other than the current one is
  // ignored, so that callers that raced on the same refusal fetch once.
  virtual void Refused(absl::string_view token) = 0;
};
using TokenSourcePtr = std::shared_ptr<TokenSource>;

struct TokenRefreshPolicy {
  // Fetch a new token this long before the current one expires (at most a
  // quarter of its lifetime, so that short-lived tokens are not fetched on
  // every call).
  absl::Duration before_expiry = absl::Minutes(1);
  // The deadline of each call to the directory.
  absl::Duration timeout = absl::Seconds(10);
};

struct PasswordLoginOptions {
  std::string tenant;
  std::string user;
  std::string password;
};

// A fixed token (for example from --token): never refreshed.
TokenSourcePtr StaticToken(std::string token);

// Logs in at the directory's AuthService now (so that a wrong password is
// the caller's error at once: UNAUTHENTICATED) and renews with RefreshToken.
absl::StatusOr<TokenSourcePtr> PasswordLogin(std::shared_ptr<grpc::Channel> directory,
                                             PasswordLoginOptions login, TokenRefreshPolicy policy = {});

// The access token in `path` and its refresh token in `path`.refresh, as
// `hartslag login --save` writes them. With a `directory` channel, renews the
// pair with RefreshToken and replaces both files atomically; without one (or
// without a refresh token), reads the file again as it nears expiry, for
// whoever else keeps it fresh. An expired token it cannot renew is
// UNAUTHENTICATED saying so.
TokenSourcePtr SavedTokenFile(std::string path, std::shared_ptr<grpc::Channel> directory = nullptr,
                              TokenRefreshPolicy policy = {});

// An integrated client's token for `user` of its own organisation
// (IssueClientToken): `directory` must present the client's certificate
// (mutual TLS, see channel.h).
TokenSourcePtr IntegratedClientToken(std::shared_ptr<grpc::Channel> directory, std::string user,
                                     TokenRefreshPolicy policy = {});

// When a JWT expires, from its `exp` claim (not verified: the services verify
// tokens; a client only needs to know when to renew). INVALID_ARGUMENT if
// `token` is not a JWT with an expiry.
absl::StatusOr<absl::Time> ExpiryOf(absl::string_view token);

}  // namespace hartslag::client

#endif  // HARTSLAG_CLIENTS_CPP_TOKEN_SOURCE_H_
