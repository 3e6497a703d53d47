// Who is calling: the verified caller of one request, as the server's
// authentication (auth.h) builds it from a bearer token. A plain value that
// every layer takes, also the database layer (exactly_once.h keys retried
// creates by it), so it lives apart from the server's Authenticator.
#ifndef HARTSLAG_SERVICES_COMMON_REQUEST_CONTEXT_H_
#define HARTSLAG_SERVICES_COMMON_REQUEST_CONTEXT_H_

#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "hartslag/common/v1/common.pb.h"
#include "services/common/roles.h"

namespace hartslag {

// The verified caller of one request. Immutable once built.
struct RequestContext {
  std::string request_id;  // for logs and support; from x-request-id or generated
  std::string traceparent;  // the caller's W3C trace context, if it sent one (trace.h)
  std::string tenant;
  std::string user;
  std::string organisation;
  common::v1::OrganisationKind organisation_kind = common::v1::ORGANISATION_KIND_UNSPECIFIED;
  std::set<Role> roles;
  std::vector<std::string> areas;
  // The integrated client acting for `user`, from the token; empty otherwise.
  std::string acting_client;
  // The URI in the TLS client certificate, if the caller presented one.
  std::string peer_identity;
  // Where the call came from, for the audit origin: the caller's network
  // address, or for a call hartslag-web makes for a browser, the browser's
  // address "via web".
  std::string peer_address;
  // Why personal data is read (x-hartslag-purpose metadata), e.g. TRIAGE.
  std::string purpose;
  absl::Time deadline = absl::InfiniteFuture();
  // When the caller's token expires: a stream ends then.
  absl::Time token_expires_at = absl::InfiniteFuture();

  bool Has(Role role) const { return roles.contains(role); }
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_REQUEST_CONTEXT_H_
