// hartslag dev token: issues development tokens until the directory service
// issues real ones.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "clients/cli/commands.h"
#include "clients/cli/flag_values.h"
#include "services/common/config.h"
#include "services/common/roles.h"
#include "services/common/status_macros.h"
#include "services/common/token.h"

namespace hartslag::cli {
namespace {

absl::Status Token(const Args& args) {
  Flags flags("hartslag dev token", "issue a development token signed with the development key");
  flags.Add("key", "HARTSLAG_JWT_KEY", "", "PEM file with the Ed25519 signing key");
  flags.Add("issuer", "HARTSLAG_JWT_ISSUER", "hartslag-dev", "the token's issuer");
  flags.Add("sub", "", "", "user id");
  flags.Add("tenant", "", "heerlen", "tenant (municipality)");
  flags.Add("org", "", "", "organisation id");
  flags.Add("org-kind", "", "", "MUNICIPALITY, ENFORCEMENT, POLICE, CARE, HOUSING or OTHER");
  flags.Add("roles", "", "", "comma-separated: REPORTER, COORDINATOR, PARTNER, PRIVACY_OFFICER, ADMIN");
  flags.Add("areas", "", "", "comma-separated area ids");
  flags.Add("ttl", "", "8h", "how long the token is valid");
  RETURN_IF_ERROR(flags.Parse(args));
  RETURN_IF_ERROR(Required(flags, {"key", "sub", "org", "org-kind", "roles"}));
  TokenClaims claims;
  claims.issuer = flags.Get("issuer");
  claims.subject = flags.Get("sub");
  claims.tenant = flags.Get("tenant");
  claims.organisation = flags.Get("org");
  claims.organisation_kind = flags.Get("org-kind");
  if (!ParseOrganisationKind(claims.organisation_kind)) {
    return UsageError("--org-kind: onbekende soort organisatie");
  }
  claims.roles = absl::StrSplit(flags.Get("roles"), ',', absl::SkipWhitespace());
  for (const std::string& role : claims.roles) {
    if (!ParseRole(role)) return UsageError(absl::StrCat("--roles: onbekende rol ", role));
  }
  claims.areas = absl::StrSplit(flags.Get("areas"), ',', absl::SkipWhitespace());
  absl::Duration ttl;
  if (!absl::ParseDuration(flags.Get("ttl"), &ttl) || ttl <= absl::ZeroDuration()) {
    return UsageError("--ttl: moet een duur zijn, zoals 8h");
  }
  absl::Time now = absl::Now();
  claims.issued_at = now;
  claims.not_before = now;
  claims.expires_at = now + ttl;
  ASSIGN_OR_RETURN(TokenSigner signer, TokenSigner::FromPemFile(flags.Get("key")));
  ASSIGN_OR_RETURN(std::string token, signer.Sign(claims));
  std::printf("%s\n", token.c_str());
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> DevCommands() {
  return {{"token", "een ontwikkeltoken ondertekenen met de ontwikkelsleutel", Token}};
}

}  // namespace hartslag::cli
