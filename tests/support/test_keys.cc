#include "tests/support/test_keys.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

namespace hartslag::testing {
namespace {

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, length);
}

}  // namespace

KeyPair NewEd25519KeyPair() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"),
                                                          EVP_PKEY_free);
  if (!key) throw std::runtime_error("Ed25519 key generation failed");
  std::unique_ptr<BIO, decltype(&BIO_free)> priv(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> pub(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub.get(), key.get());
  return {BioText(priv.get()), BioText(pub.get())};
}

TokenClaims ClaimsFor(std::string user, std::string organisation, std::string organisation_kind,
                      std::vector<std::string> roles, std::vector<std::string> areas,
                      std::string tenant) {
  TokenClaims claims;
  claims.issuer = "hartslag-dev";
  claims.subject = std::move(user);
  claims.tenant = std::move(tenant);
  claims.organisation = std::move(organisation);
  claims.organisation_kind = std::move(organisation_kind);
  claims.roles = std::move(roles);
  claims.areas = std::move(areas);
  absl::Time now = absl::Now();
  claims.issued_at = now;
  claims.not_before = now;
  claims.expires_at = now + absl::Minutes(15);
  return claims;
}

}  // namespace hartslag::testing
