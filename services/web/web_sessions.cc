#include "services/web/web_sessions.h"

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/roles.h"
#include "services/common/status_macros.h"

namespace hartslag::web {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("session: ", why, "; log in again"));
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) { return absl::FromUnixSeconds(t.seconds()); }

}  // namespace

std::unique_ptr<grpc::ClientContext> WebSessions::Call(const BrowserRequest& browser) const {
  auto call = std::make_unique<grpc::ClientContext>();
  call->set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
  if (!browser.address.empty()) call->AddMetadata("x-hartslag-forwarded-for", browser.address);
  PassOn(browser.trace, *call);
  return call;
}

absl::StatusOr<v1::SessionCookie> WebSessions::FromTokens(const directory::v1::TokenResponse& tokens,
                                                          const std::string& csrf_token) const {
  // The directory's token is checked like every service checks it, so a
  // session never holds a token the services would refuse.
  ASSIGN_OR_RETURN(TokenClaims claims, verifier_.Verify(tokens.access_token(), absl::Now()));
  v1::SessionCookie session;
  session.set_access_token(tokens.access_token());
  *session.mutable_access_expires_at() = TimeToProto(claims.expires_at);
  session.set_refresh_token(tokens.refresh_token());
  session.set_csrf_token(csrf_token);
  session.set_display_name(tokens.display_name());
  session.set_organisation_name(tokens.organisation_name());
  return session;
}

absl::StatusOr<std::pair<v1::SessionCookie, std::string>> WebSessions::Login(const v1::LoginRequest& request,
                                                                              const BrowserRequest& browser) {
  directory::v1::LoginRequest login;
  login.set_tenant_id(request.tenant_id());
  login.set_user_id(request.user_id());
  login.set_password(request.password());
  directory::v1::TokenResponse tokens;
  RETURN_IF_ERROR(FromGrpcStatus(auth_->Login(Call(browser).get(), login, &tokens)));
  ASSIGN_OR_RETURN(v1::SessionCookie session, FromTokens(tokens, Base64UrlEncode(RandomBytes(32))));
  // The session lasts as long as its first refresh token (the directory's
  // refresh_ttl); renewals do not extend it.
  *session.mutable_session_expires_at() = TimeToProto(absl::Now() + kSessionLifetime);
  std::string sealed = sealer_.Seal(session.SerializeAsString());
  if (sealed.size() > SealedCookie::kMaxValueBytes) {
    // A browser would drop it and the user would seem logged out at once.
    return absl::FailedPreconditionError(
        "session: the user's token is too large for a browser cookie (too many areas); use the CLI");
  }
  return std::make_pair(std::move(session), std::move(sealed));
}

absl::StatusOr<Resumed> WebSessions::Resume(absl::string_view cookie_value, const BrowserRequest& browser) {
  if (cookie_value.empty()) return Unauthenticated("not logged in");
  std::optional<std::string> bytes = sealer_.Open(cookie_value);
  v1::SessionCookie session;
  if (!bytes || !session.ParseFromString(*bytes)) return Unauthenticated("not a session of ours");
  absl::Time now = absl::Now();
  if (TimeOf(session.session_expires_at()) <= now) return Unauthenticated("ended");
  Resumed resumed;
  if (TimeOf(session.access_expires_at()) - kRefreshAhead > now) {
    resumed.cookie = std::move(session);
    return resumed;
  }
  ASSIGN_OR_RETURN(resumed.cookie, Refresh(session, browser));
  resumed.renewed_value = sealer_.Seal(resumed.cookie.SerializeAsString());
  return resumed;
}

absl::StatusOr<v1::SessionCookie> WebSessions::Refresh(const v1::SessionCookie& session, const BrowserRequest& browser) {
  std::string key = Sha256(session.refresh_token());
  std::shared_ptr<Flight> flight;
  absl::Time now = absl::Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = flights_.begin(); it != flights_.end();) {
      it = now - it->second->started > kRefreshMemory ? flights_.erase(it) : std::next(it);
    }
    std::shared_ptr<Flight>& slot = flights_[key];
    if (slot == nullptr) {
      slot = std::make_shared<Flight>();
      slot->started = now;
    }
    flight = slot;
  }
  std::lock_guard<std::mutex> lock(flight->mu);
  if (!flight->done) {
    directory::v1::RefreshTokenRequest request;
    request.set_refresh_token(session.refresh_token());
    directory::v1::TokenResponse tokens;
    absl::Status refreshed = FromGrpcStatus(auth_->RefreshToken(Call(browser).get(), request, &tokens));
    if (refreshed.ok()) {
      flight->result = FromTokens(tokens, session.csrf_token());
      if (flight->result.ok()) *flight->result->mutable_session_expires_at() = session.session_expires_at();
    } else if (refreshed.code() == absl::StatusCode::kUnauthenticated) {
      flight->result = Unauthenticated("the directory no longer renews it");
    } else {
      // The directory out of reach: the token was probably not used, so
      // the next request tries again instead of getting this for a minute.
      flight->result = refreshed;
      std::lock_guard<std::mutex> forget(mu_);
      if (auto it = flights_.find(key); it != flights_.end() && it->second == flight) flights_.erase(it);
    }
    flight->done = true;
  }
  return flight->result;
}

absl::Status WebSessions::Logout(const v1::SessionCookie& session, const BrowserRequest& browser) {
  directory::v1::LogoutRequest request;
  request.set_refresh_token(session.refresh_token());
  directory::v1::LogoutResponse response;
  return FromGrpcStatus(auth_->Logout(Call(browser).get(), request, &response));
}

absl::StatusOr<v1::Session> WebSessions::Describe(const v1::SessionCookie& session) const {
  ASSIGN_OR_RETURN(TokenClaims claims, verifier_.Verify(session.access_token(), absl::Now()));
  v1::Session described;
  described.set_user_id(claims.subject);
  described.set_tenant_id(claims.tenant);
  described.set_organisation_id(claims.organisation);
  described.set_organisation_kind(
      ParseOrganisationKind(claims.organisation_kind).value_or(common::v1::ORGANISATION_KIND_UNSPECIFIED));
  for (const std::string& role : claims.roles) described.add_roles(role);
  for (const std::string& area : claims.areas) described.add_areas(area);
  described.set_csrf_token(session.csrf_token());
  *described.mutable_expires_at() = session.session_expires_at();
  described.set_display_name(session.display_name());
  described.set_organisation_name(session.organisation_name());
  return described;
}

}  // namespace hartslag::web
