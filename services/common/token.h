// Bearer tokens: JWTs signed with Ed25519 ("alg": "EdDSA", RFC 8037), so that
// services verify them locally with the issuer's public key and an external
// OpenID Connect provider can take over issuing later.
//
// Claims: iss, sub, iat, nbf, exp, act (RFC 8693, for integrated clients),
// and Hartslag's own `tenant`, `org`, `org_kind`, `roles` and `areas`. The header carries a key id (`kid`): the
// first 16 characters of the base64url SHA-256 of the public key (DER), so a
// verifier holding several keys finds the right one and the signing key can
// be rotated without downtime.
//
//   ASSIGN_OR_RETURN(TokenSigner signer, TokenSigner::FromPemFile("dev-jwt.key"));
//   ASSIGN_OR_RETURN(std::string jwt, signer.Sign(claims));
//   ASSIGN_OR_RETURN(TokenVerifier verifier, TokenVerifier::FromPemFiles({"dev-jwt.pub"}, opts));
//   ASSIGN_OR_RETURN(TokenClaims verified, verifier.Verify(jwt, absl::Now()));
//
// Signer and verifier are immutable after construction and thread-safe.
#ifndef HARTSLAG_SERVICES_COMMON_TOKEN_H_
#define HARTSLAG_SERVICES_COMMON_TOKEN_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace hartslag {

struct TokenClaims {
  std::string issuer;
  std::string subject;       // the user id
  std::string tenant;        // the municipality
  std::string organisation;  // the organisation id
  std::string organisation_kind;  // MUNICIPALITY, ENFORCEMENT, POLICE, CARE, HOUSING, OTHER
  std::vector<std::string> roles;  // REPORTER, COORDINATOR, PARTNER, PRIVACY_OFFICER, ADMIN
  std::vector<std::string> areas;  // area ids the user works in
  // The integrated client acting for the user (JWT "act": {"sub": ...},
  // RFC 8693); empty when the user acts directly.
  std::string acting_client;
  absl::Time issued_at;
  absl::Time not_before;
  absl::Time expires_at;
};

using KeyPtr = std::shared_ptr<EVP_PKEY>;

class TokenSigner {
 public:
  static absl::StatusOr<TokenSigner> FromPem(absl::string_view private_key_pem);
  static absl::StatusOr<TokenSigner> FromPemFile(const std::string& path);

  absl::StatusOr<std::string> Sign(const TokenClaims& claims) const;
  const std::string& key_id() const { return key_id_; }

 private:
  TokenSigner(KeyPtr key, std::string key_id) : key_(std::move(key)), key_id_(std::move(key_id)) {}
  KeyPtr key_;
  std::string key_id_;
};

struct TokenVerifierOptions {
  // The only issuer accepted (the `iss` claim).
  std::string issuer = "hartslag-dev";
  // Tolerance for clocks that differ between issuer and service.
  absl::Duration clock_skew = absl::Seconds(60);
  // Tenants this deployment serves; empty accepts any tenant.
  std::set<std::string> tenants;
};

class TokenVerifier {
 public:
  static absl::StatusOr<TokenVerifier> FromPem(const std::vector<std::string>& public_key_pems,
                                               TokenVerifierOptions options);
  static absl::StatusOr<TokenVerifier> FromPemFiles(const std::vector<std::string>& paths,
                                                    TokenVerifierOptions options);

  // Returns the claims of a valid token, or UNAUTHENTICATED naming the reason.
  absl::StatusOr<TokenClaims> Verify(absl::string_view token, absl::Time now) const;

 private:
  TokenVerifier(std::map<std::string, KeyPtr> keys, TokenVerifierOptions options)
      : keys_(std::move(keys)), options_(std::move(options)) {}
  std::map<std::string, KeyPtr> keys_;  // by key id
  TokenVerifierOptions options_;
};

// The key id of a public or private Ed25519 key (see the file comment).
absl::StatusOr<std::string> KeyIdOf(EVP_PKEY* key);

// Ed25519 keys and signatures, shared by tokens and the audit log's tree heads.
absl::StatusOr<KeyPtr> ParseEd25519Pem(absl::string_view pem, bool is_private);
absl::StatusOr<std::string> Ed25519Sign(EVP_PKEY* key, absl::string_view data);
bool Ed25519Verify(EVP_PKEY* key, absl::string_view data, absl::string_view signature);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_TOKEN_H_
