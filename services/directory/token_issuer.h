// TokenIssuer: who gets a token, and what it says. Logins with password and
// lock-out, single-use refresh tokens, and tokens for integrated clients
// acting for a user of their own organisation. No gRPC, no SQL. Thread-safe.
#ifndef HARTSLAG_SERVICES_DIRECTORY_TOKEN_ISSUER_H_
#define HARTSLAG_SERVICES_DIRECTORY_TOKEN_ISSUER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/directory/v1/directory.pb.h"
#include "services/common/token.h"
#include "services/directory/directory_store.h"

namespace hartslag::directory {

struct IssuerOptions {
  std::string issuer = "hartslag-dev";
  absl::Duration access_ttl = absl::Minutes(15);
  absl::Duration refresh_ttl = absl::Hours(12);
  int lock_after_failures = 5;
  absl::Duration lock_for = absl::Minutes(15);
};

class TokenIssuer {
 public:
  TokenIssuer(DirectoryStore* store, TokenSigner signer, IssuerOptions options)
      : store_(store), signer_(std::move(signer)), options_(std::move(options)) {}

  // Each fills `audit` with whose login it was (the tenant and user id the
  // request names) and, for a refusal, why.
  absl::StatusOr<v1::TokenResponse> Login(const v1::LoginRequest& request, AuditRecord& audit);
  absl::StatusOr<v1::TokenResponse> Refresh(const v1::RefreshTokenRequest& request,
                                            AuditRecord& audit);
  // Revokes the refresh token; OK whether or not it was still valid.
  absl::StatusOr<v1::LogoutResponse> Logout(const v1::LogoutRequest& request, AuditRecord& audit);
  // `certificate_uri` is the URI of the caller's verified client certificate.
  absl::StatusOr<v1::TokenResponse> ForClient(const std::string& certificate_uri,
                                              const v1::IssueClientTokenRequest& request,
                                              AuditRecord& audit);

 private:
  // With a refresh token for a session of `session_epoch` when given;
  // UNAUTHENTICATED when that session has ended meanwhile.
  absl::StatusOr<v1::TokenResponse> Issue(const Account& account, const std::string& acting_client,
                                          std::optional<int64_t> session_epoch);

  DirectoryStore* store_;
  TokenSigner signer_;
  IssuerOptions options_;
};

}  // namespace hartslag::directory

#endif  // HARTSLAG_SERVICES_DIRECTORY_TOKEN_ISSUER_H_
