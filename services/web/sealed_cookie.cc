#include "services/web/sealed_cookie.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/status_macros.h"

namespace hartslag::web {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(absl::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

absl::StatusOr<SealedCookie> SealedCookie::FromKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string contents, ReadFile(path, "session key"));
  std::string key = contents;
  std::string trimmed(absl::StripAsciiWhitespace(contents));
  if (trimmed.size() == 2 * kKeyBytes && std::all_of(trimmed.begin(), trimmed.end(), absl::ascii_isxdigit)) {
    key = absl::HexStringToBytes(trimmed);
  }
  return FromKey(key, "__Host-hartslag");
}

absl::StatusOr<SealedCookie> SealedCookie::FromKey(absl::string_view key, std::string cookie_name) {
  if (key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("session key: must be ", kKeyBytes, " bytes (or ", 2 * kKeyBytes, " hex digits)"));
  }
  return SealedCookie(std::string(key), std::move(cookie_name));
}

std::string SealedCookie::Seal(absl::string_view plaintext) const {
  std::string nonce = RandomBytes(kNonceBytes);
  std::string out(nonce.size() + plaintext.size() + kTagBytes, '\0');
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + nonce.size());
  std::copy(nonce.begin(), nonce.end(), out.begin());
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  // These fail only without memory; a cookie sealed wrong would not open.
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(nonce));
  EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(cookie_name_), static_cast<int>(cookie_name_.size()));
  EVP_EncryptUpdate(ctx.get(), cipher, &len, Bytes(plaintext), static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size());
  return Base64UrlEncode(out);
}

std::optional<std::string> SealedCookie::Open(absl::string_view value) const {
  if (value.size() > kMaxValueBytes) return std::nullopt;
  std::optional<std::string> raw = Base64UrlDecode(value);
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
  absl::string_view all(*raw);
  absl::string_view nonce = all.substr(0, kNonceBytes);
  absl::string_view cipher = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  std::string plain(cipher.size(), '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(cookie_name_), static_cast<int>(cookie_name_.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, Bytes(cipher),
                        static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) != 1) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace hartslag::web
