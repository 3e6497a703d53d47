// Pseudonyms for the persons and addresses that audit records are about: a
// keyed hash (HMAC-SHA-256 with the deployment's secret key) of a normalised
// form. Every service holds the same key, so the audit log can be searched by
// person or address without holding either, and without the key nobody can
// test a guess against it. Thread-safe: each pseudonym is computed on its own
// copy of the keyed HMAC, which OpenSSL copies from a shared one that no
// thread changes.
#ifndef HARTSLAG_SERVICES_COMMON_PSEUDONYM_H_
#define HARTSLAG_SERVICES_COMMON_PSEUDONYM_H_

#include <openssl/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hartslag/common/v1/common.pb.h"

namespace hartslag {

class Pseudonymizer {
 public:
  // Reads the key: a file of at least 32 bytes of secret (for example 64
  // hex digits from `hartslag pki pseudonym-key`); surrounding whitespace is
  // ignored.
  static absl::StatusOr<Pseudonymizer> FromFile(const std::string& path);
  explicit Pseudonymizer(const std::string& key);
  // Copies share the key set up once; a move copies too, so that no
  // Pseudonymizer is ever left without it.
  Pseudonymizer(const Pseudonymizer&) = default;
  Pseudonymizer& operator=(const Pseudonymizer&) = default;

  // "person:<hex>"; the name is compared case- and spacing-insensitively;
  // birth_year 0 means unknown.
  std::string Person(absl::string_view name, int birth_year) const;
  // "address:<hex>" of postcode, house number and addition (the Dutch
  // address key); case and spaces do not matter.
  std::string Address(const common::v1::Address& address) const;

 private:
  std::string Keyed(absl::string_view kind, absl::string_view normalised) const;
  // HMAC-SHA-256 set up with the key once; each pseudonym works on a copy.
  // Set up per call, OpenSSL 3 looks HMAC and SHA-256 up again under a
  // lock and allocates for each: more than twice the cost of the copy.
  std::shared_ptr<const EVP_MAC_CTX> keyed_;
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PSEUDONYM_H_
