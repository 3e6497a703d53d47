// Password hashing with scrypt (OpenSSL's EVP_PBE_scrypt): memory-hard, with
// a random salt per password, stored as
//   scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>
// so the cost can be raised later without invalidating stored hashes.
// Comparison is constant-time. Thread-safe.
#ifndef HARTSLAG_SERVICES_DIRECTORY_PASSWORD_H_
#define HARTSLAG_SERVICES_DIRECTORY_PASSWORD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hartslag::directory {

inline constexpr size_t kMinPasswordLength = 12;

absl::StatusOr<std::string> HashPassword(absl::string_view password);

// True if `password` matches `stored`; false for a wrong password and for a
// malformed stored hash.
bool VerifyPassword(absl::string_view password, absl::string_view stored);

// A stored hash that matches no password, with the same cost as real ones:
// checked for unknown users so they take as long as known ones.
const std::string& DecoyPasswordHash();

}  // namespace hartslag::directory

#endif  // HARTSLAG_SERVICES_DIRECTORY_PASSWORD_H_
