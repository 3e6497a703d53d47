#include "services/directory/token_issuer.h"

#include "absl/time/clock.h"
#include "services/common/auth.h"
#include "services/common/crypto.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/directory/password.h"

namespace hartslag::directory {
namespace {

// One answer for an unknown user, a wrong password and a deactivated user, so
// that the answer does not tell which user ids exist.
absl::Status BadCredentials() {
  return absl::UnauthenticatedError("unknown user or wrong password");
}

}  // namespace

absl::StatusOr<v1::TokenResponse> TokenIssuer::Login(const v1::LoginRequest& request,
                                                     AuditRecord& audit) {
  if (request.tenant_id().empty()) return absl::InvalidArgumentError("tenant_id: is required");
  if (request.user_id().empty()) return absl::InvalidArgumentError("user_id: is required");
  if (request.password().empty()) return absl::InvalidArgumentError("password: is required");
  ASSIGN_OR_RETURN(std::optional<Account> account,
                   store_->FindAccount(request.tenant_id(), request.user_id()));
  if (!account) {
    VerifyPassword(request.password(), DecoyPasswordHash());  // same time as a known user
    // Only a tenant that exists gets a record (in its own log).
    audit.SetDetail("unknown user");
    return BadCredentials();
  }
  audit.SetCaller(account->tenant, account->user.user_id(), account->user.organisation_id());
  bool password_matches = VerifyPassword(request.password(), account->password_hash);
  // A locked account answers like a wrong password, so guessing can neither
  // go on nor learn which user ids exist from the lock.
  if (account->locked_until && *account->locked_until > absl::Now()) {
    audit.SetDetail("account locked");
    return BadCredentials();
  }
  if (!password_matches) {
    RETURN_IF_ERROR(store_->RecordLoginFailure(account->tenant, account->user.user_id(),
                                               options_.lock_after_failures, options_.lock_for));
    audit.SetDetail(account->failed_logins + 1 >= options_.lock_after_failures
                        ? "wrong password; account locked"
                        : "wrong password");
    return BadCredentials();
  }
  if (!account->user.active()) {
    audit.SetDetail("user deactivated");
    return BadCredentials();
  }
  RETURN_IF_ERROR(store_->RecordLoginSuccess(account->tenant, account->user.user_id()));
  // In the epoch read with the password hash just checked: a reset in
  // between refuses this login's session.
  absl::StatusOr<v1::TokenResponse> tokens = Issue(*account, "", account->session_epoch);
  if (absl::IsUnauthenticated(tokens.status())) {
    audit.SetDetail("password reset or deactivation during login");
    return BadCredentials();
  }
  return tokens;
}

absl::StatusOr<v1::TokenResponse> TokenIssuer::Refresh(const v1::RefreshTokenRequest& request,
                                                       AuditRecord& audit) {
  if (request.refresh_token().empty()) {
    return absl::InvalidArgumentError("refresh_token: is required");
  }
  ASSIGN_OR_RETURN(std::optional<RefreshTokenOwner> owner,
                   store_->ConsumeRefreshToken(HexEncode(Sha256(request.refresh_token()))));
  if (!owner) return absl::UnauthenticatedError("refresh token unknown, used or expired");
  audit.SetCaller(owner->tenant, owner->user_id, "");
  ASSIGN_OR_RETURN(std::optional<Account> account, store_->FindAccount(owner->tenant, owner->user_id));
  if (account) audit.SetCaller(owner->tenant, owner->user_id, account->user.organisation_id());
  if (!account || !account->user.active()) {
    audit.SetDetail("user deactivated");
    return absl::UnauthenticatedError("refresh token unknown, used or expired");
  }
  // The session goes on in the epoch it began in; a reset or deactivation
  // since (even one committed after the token was consumed above) ends it.
  absl::StatusOr<v1::TokenResponse> tokens = Issue(*account, "", owner->session_epoch);
  if (absl::IsUnauthenticated(tokens.status())) {
    audit.SetDetail("session ended by a password reset or deactivation");
    return absl::UnauthenticatedError("refresh token unknown, used or expired");
  }
  return tokens;
}

absl::StatusOr<v1::LogoutResponse> TokenIssuer::Logout(const v1::LogoutRequest& request, AuditRecord& audit) {
  if (request.refresh_token().empty()) return absl::InvalidArgumentError("refresh_token: is required");
  ASSIGN_OR_RETURN(std::optional<RefreshTokenOwner> owner,
                   store_->ConsumeRefreshToken(HexEncode(Sha256(request.refresh_token()))));
  if (owner) audit.SetCaller(owner->tenant, owner->user_id, "");
  return v1::LogoutResponse();
}

absl::StatusOr<v1::TokenResponse> TokenIssuer::ForClient(const std::string& certificate_uri,
                                                         const v1::IssueClientTokenRequest& request,
                                                         AuditRecord& audit) {
  if (certificate_uri.empty()) {
    return absl::UnauthenticatedError("a client certificate of a registered integrated client is required");
  }
  if (request.user_id().empty()) return absl::InvalidArgumentError("user_id: is required");
  ASSIGN_OR_RETURN(std::optional<ClientRecord> client,
                   store_->FindClientByCertificate(certificate_uri));
  if (!client || !client->client.active()) {
    return absl::UnauthenticatedError("the client certificate is not of an active integrated client");
  }
  audit.SetCaller(client->tenant, request.user_id(), client->client.organisation_id());
  audit.SetActingClient(client->client.client_id());
  ASSIGN_OR_RETURN(std::optional<Account> account,
                   store_->FindAccount(client->tenant, request.user_id()));
  if (!account || !account->user.active() ||
      account->user.organisation_id() != client->client.organisation_id()) {
    return absl::PermissionDeniedError(
        "user_id: not an active user of the client's own organisation");
  }
  return Issue(*account, client->client.client_id(), /*session_epoch=*/std::nullopt);
}

absl::StatusOr<v1::TokenResponse> TokenIssuer::Issue(const Account& account,
                                                     const std::string& acting_client,
                                                     std::optional<int64_t> session_epoch) {
  absl::Time now = absl::Now();
  TokenClaims claims;
  claims.issuer = options_.issuer;
  claims.subject = account.user.user_id();
  claims.tenant = account.tenant;
  claims.organisation = account.user.organisation_id();
  claims.organisation_kind = std::string(OrganisationKindName(account.organisation_kind));
  claims.roles.assign(account.user.roles().begin(), account.user.roles().end());
  claims.areas.assign(account.user.areas().begin(), account.user.areas().end());
  claims.acting_client = acting_client;
  claims.issued_at = now;
  claims.not_before = now;
  claims.expires_at = now + options_.access_ttl;
  v1::TokenResponse response;
  ASSIGN_OR_RETURN(*response.mutable_access_token(), signer_.Sign(claims));
  *response.mutable_expires_at() = TimeToProto(claims.expires_at);
  response.set_display_name(account.user.display_name());
  response.set_organisation_name(account.organisation_name);
  if (session_epoch) {
    std::string refresh = Base64UrlEncode(RandomBytes(32));
    ASSIGN_OR_RETURN(bool stored, store_->StoreRefreshToken(HexEncode(Sha256(refresh)), account.tenant,
                                                            account.user.user_id(), *session_epoch,
                                                            now + options_.refresh_ttl));
    // Without its refresh token the access token is not handed out either.
    if (!stored) return absl::UnauthenticatedError("session ended");
    response.set_refresh_token(refresh);
  }
  return response;
}

}  // namespace hartslag::directory
