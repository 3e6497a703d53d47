// Ed25519 key pairs made in-process for token tests, and claims for the
// people the tests play.
#ifndef HARTSLAG_TESTS_SUPPORT_TEST_KEYS_H_
#define HARTSLAG_TESTS_SUPPORT_TEST_KEYS_H_

#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "services/common/token.h"

namespace hartslag::testing {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

// A new random Ed25519 key pair.
KeyPair NewEd25519KeyPair();

// Valid-now claims (issuer hartslag-dev, 15 minutes) for tenant `tenant`.
TokenClaims ClaimsFor(std::string user, std::string organisation, std::string organisation_kind,
                      std::vector<std::string> roles, std::vector<std::string> areas,
                      std::string tenant = "heerlen");

}  // namespace hartslag::testing

#endif  // HARTSLAG_TESTS_SUPPORT_TEST_KEYS_H_
