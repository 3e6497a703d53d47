#include "services/common/auth.h"

#include <grpcpp/server_context.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/status_macros.h"

namespace hartslag {
namespace {

constexpr absl::string_view kBearer = "Bearer ";

}  // namespace

absl::StatusOr<RequestContext> Authenticator::Authenticate(
    const grpc::ServerContextBase& call) const {
  const auto& metadata = call.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError("missing bearer token in the authorization metadata");
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::StartsWith(value, kBearer)) {
    return absl::UnauthenticatedError("authorization metadata must be \"Bearer <token>\"");
  }
  return FromToken(value.substr(kBearer.size()));
}

absl::StatusOr<RequestContext> Authenticator::FromToken(absl::string_view token) const {
  const std::string hash = Sha256(token);
  const absl::Time now = absl::Now();
  {
    std::lock_guard<std::mutex> lock(verified_->mutex);
    auto it = verified_->by_hash.find(hash);
    if (it != verified_->by_hash.end()) {
      if (now < it->second.token_expires_at) return it->second;
      verified_->by_hash.erase(it);
    }
  }
  ASSIGN_OR_RETURN(RequestContext context, Verify(token));
  std::lock_guard<std::mutex> lock(verified_->mutex);
  auto& held = verified_->by_hash;
  if (held.size() >= kMaxVerifiedTokens) {
    absl::erase_if(held, [now](const auto& entry) { return entry.second.token_expires_at <= now; });
    // Still full of live tokens: start over rather than grow.
    if (held.size() >= kMaxVerifiedTokens) held.clear();
  }
  held.emplace(hash, context);
  return context;
}

absl::StatusOr<RequestContext> Authenticator::Verify(absl::string_view token) const {
  ASSIGN_OR_RETURN(TokenClaims claims, verifier_.Verify(token, absl::Now()));
  RequestContext context;
  context.tenant = std::move(claims.tenant);
  context.token_expires_at = claims.expires_at;
  context.user = std::move(claims.subject);
  context.organisation = std::move(claims.organisation);
  auto kind = ParseOrganisationKind(claims.organisation_kind);
  if (!kind) return absl::UnauthenticatedError("invalid token: unknown organisation kind");
  context.organisation_kind = *kind;
  for (const std::string& name : claims.roles) {
    // Unknown roles are ignored rather than refused, so a newer issuer can add
    // roles without locking users out of older services.
    if (auto role = ParseRole(name)) context.roles.insert(*role);
  }
  context.areas = std::move(claims.areas);
  context.acting_client = std::move(claims.acting_client);
  return context;
}

std::string ServiceIdentity(absl::string_view name) {
  return absl::StrCat("spiffe://hartslag/service/", name);
}

const AccessRule& AccessPolicy::Rule(absl::string_view rpc) const {
  static const AccessRule* const kNobody = new AccessRule();
  auto it = rules_.find(rpc);
  return it == rules_.end() ? *kNobody : it->second;
}

bool AccessPolicy::NeedsNoToken(absl::string_view rpc) const {
  auto it = rules_.find(rpc);
  return it != rules_.end() && (it->second.open || !it->second.services.empty());
}

absl::Status AccessPolicy::Check(absl::string_view rpc, const RequestContext& caller) const {
  auto it = rules_.find(rpc);
  if (it != rules_.end()) {
    if (it->second.open) return absl::OkStatus();
    for (const std::string& service : it->second.services) {
      if (caller.peer_identity == ServiceIdentity(service)) return absl::OkStatus();
    }
    for (Role role : it->second.roles) {
      if (caller.Has(role)) return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat("your roles do not allow ", rpc));
}

}  // namespace hartslag
