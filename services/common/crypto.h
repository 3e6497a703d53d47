// Small cryptographic building blocks over OpenSSL's EVP interfaces: hashing,
// randomness and base64 encodings. Thread-safe.
#ifndef HARTSLAG_SERVICES_COMMON_CRYPTO_H_
#define HARTSLAG_SERVICES_COMMON_CRYPTO_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace hartslag {

// SHA-256 of `data`, as 32 raw bytes.
std::string Sha256(absl::string_view data);
// Lowercase hex of raw bytes.
std::string HexEncode(absl::string_view bytes);
// `n` bytes from OpenSSL's CSPRNG. Aborts if the CSPRNG fails: there is no
// safe way to continue without randomness.
std::string RandomBytes(size_t n);
// A random version-4 UUID in canonical lowercase form.
std::string RandomUuid();
// A version-7 UUID (RFC 9562): the Unix time in milliseconds, then 74 random
// bits. Ids of a later millisecond sort later, so an index on them grows at
// its right edge instead of touching a random page for every new id; the
// time it shows is when the id was made.
std::string TimeOrderedUuid();

// Base64url without padding (RFC 4648 section 5), as JWTs use it.
std::string Base64UrlEncode(absl::string_view bytes);
// Decodes base64url without padding; nullopt on any invalid character or length.
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_CRYPTO_H_
