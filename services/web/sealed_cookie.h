// A cookie value only hartslag-web can read or make: AES-256-GCM under a
// key from a file that every web instance shares, so any instance serves
// any request and none keeps session state. The cookie name is bound into
// the authenticated data, so a value cannot be moved to another cookie.
//
//   ASSIGN_OR_RETURN(SealedCookie sealer, SealedCookie::FromKeyFile("/etc/hartslag/web-session.key"));
//   std::string value = sealer.Seal(session.SerializeAsString());
//   std::optional<std::string> bytes = sealer.Open(value);   // nullopt: forged, altered or another key
//
// Thread-safe: immutable after construction.
#ifndef HARTSLAG_SERVICES_WEB_SEALED_COOKIE_H_
#define HARTSLAG_SERVICES_WEB_SEALED_COOKIE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hartslag::web {

class SealedCookie {
 public:
  static constexpr size_t kKeyBytes = 32;
  // The most a sealed value may be: browsers keep 4096 bytes per cookie,
  // name and attributes included.
  static constexpr size_t kMaxValueBytes = 3800;

  // The key file holds 32 random bytes, or 64 hex digits.
  static absl::StatusOr<SealedCookie> FromKeyFile(const std::string& path);
  static absl::StatusOr<SealedCookie> FromKey(absl::string_view key, std::string cookie_name);

  // base64url(nonce || ciphertext || tag).
  std::string Seal(absl::string_view plaintext) const;
  // The plaintext, or nullopt for anything this key did not seal.
  std::optional<std::string> Open(absl::string_view value) const;

  const std::string& cookie_name() const { return cookie_name_; }

 private:
  SealedCookie(std::string key, std::string cookie_name)
      : key_(std::move(key)), cookie_name_(std::move(cookie_name)) {}
  std::string key_;
  std::string cookie_name_;
};

}  // namespace hartslag::web

#endif  // HARTSLAG_SERVICES_WEB_SEALED_COOKIE_H_
