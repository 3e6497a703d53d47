// Who is calling and what they may do: the request context built from a
// verified bearer token, and the per-RPC access rules every service declares
// in one table. Default deny: an RPC without a rule is refused.
//
//   const AccessPolicy kPolicy({
//       {"SubmitSignal", {Role::kReporter}},
//       {"ListSignals", {Role::kReporter, Role::kCoordinator}},
//   });
//
// Finer need-to-know (own organisation, own areas) is decided by the service
// that owns the data, with the context in hand.
#ifndef HARTSLAG_SERVICES_COMMON_AUTH_H_
#define HARTSLAG_SERVICES_COMMON_AUTH_H_

#include <initializer_list>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "hartslag/common/v1/common.pb.h"
#include "services/common/request_context.h"
#include "services/common/roles.h"
#include "services/common/token.h"

namespace grpc {
class ServerContextBase;
}

namespace hartslag {

// Turns the token of a call into a RequestContext. A token's signature is
// checked once: what it says is kept (by its SHA-256) until it expires, for
// at most kMaxVerifiedTokens tokens at a time. Thread-safe.
class Authenticator {
 public:
  explicit Authenticator(TokenVerifier verifier)
      : verifier_(std::move(verifier)), verified_(std::make_shared<VerifiedTokens>()) {}
  static constexpr size_t kMaxVerifiedTokens = 10000;

  // Reads "authorization: Bearer <jwt>" from the call's metadata. Any failure
  // is UNAUTHENTICATED, with the reason but never the token.
  absl::StatusOr<RequestContext> Authenticate(const grpc::ServerContextBase& call) const;
  // The same from a bare token, for callers that already extracted it.
  absl::StatusOr<RequestContext> FromToken(absl::string_view token) const;

 private:
  absl::StatusOr<RequestContext> Verify(absl::string_view token) const;

  struct VerifiedTokens {
    std::mutex mutex;
    absl::flat_hash_map<std::string, RequestContext> by_hash ABSL_GUARDED_BY(mutex);
  };
  TokenVerifier verifier_;
  std::shared_ptr<VerifiedTokens> verified_;  // shared: an Authenticator is movable
};

// The URI in the client certificate of Hartslag service `name`.
std::string ServiceIdentity(absl::string_view name);

// Who may call one RPC: users with one of the roles; anyone (no token: the
// request carries its own credential, as a login does); or other Hartslag
// services, proven by their client certificate. And what a call counts as in
// the audit trail (audit_trail.h): its action and the type of its object.
struct AccessRule {
  std::set<Role> roles;
  bool open = false;
  std::set<std::string> services;
  audit::v1::Action action = audit::v1::ACTION_UNSPECIFIED;
  std::string object_type;
  // False only for a call that touches no data (OperationsService.Ping):
  // it is admitted and logged like any call but leaves no audit record.
  bool audited = true;

  AccessRule Audit(audit::v1::Action as, std::string type) const {
    AccessRule rule = *this;
    rule.action = as;
    rule.object_type = std::move(type);
    return rule;
  }
  AccessRule Unaudited() const {
    AccessRule rule = *this;
    rule.audited = false;
    return rule;
  }
};
inline AccessRule Roles(std::set<Role> roles) {
  AccessRule rule;
  rule.roles = std::move(roles);
  return rule;
}
inline AccessRule Open() {
  AccessRule rule;
  rule.open = true;
  return rule;
}
inline AccessRule Services(std::set<std::string> names) {
  AccessRule rule;
  rule.services = std::move(names);
  return rule;
}

// The rule of each RPC of a service.
class AccessPolicy {
 public:
  AccessPolicy(std::initializer_list<std::pair<const std::string, AccessRule>> rules)
      : rules_(rules) {}

  // The rule of `rpc`; a rule admitting nobody if the policy does not name it.
  const AccessRule& Rule(absl::string_view rpc) const;
  // True for an RPC declared Open() or Services(): callers need no token.
  bool NeedsNoToken(absl::string_view rpc) const;
  // OK if one of the caller's roles may call `rpc`; PERMISSION_DENIED
  // otherwise, also for an RPC the policy does not name.
  absl::Status Check(absl::string_view rpc, const RequestContext& caller) const;

 private:
  std::map<std::string, AccessRule, std::less<>> rules_;
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_AUTH_H_
