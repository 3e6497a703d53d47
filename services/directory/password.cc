#include "services/directory/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"

namespace hartslag::directory {
namespace {

// N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per hash.
constexpr int kLogN = 15;
constexpr int kR = 8;
constexpr int kP = 1;
constexpr size_t kHashBytes = 32;
constexpr uint64_t kMaxMemory = 64ull << 20;

bool Scrypt(absl::string_view password, absl::string_view salt, int log_n, int r, int p,
            std::string* out) {
  out->assign(kHashBytes, '\0');
  return EVP_PBE_scrypt(password.data(), password.size(),
                        reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                        uint64_t{1} << log_n, r, p, kMaxMemory,
                        reinterpret_cast<unsigned char*>(out->data()), out->size()) == 1;
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  std::string salt = RandomBytes(16);
  std::string hash;
  if (!Scrypt(password, salt, kLogN, kR, kP, &hash)) {
    return absl::InternalError("scrypt failed");
  }
  return absl::StrCat("scrypt$", kLogN, "$", kR, "$", kP, "$", Base64UrlEncode(salt), "$",
                      Base64UrlEncode(hash));
}

bool VerifyPassword(absl::string_view password, absl::string_view stored) {
  std::vector<std::string> parts = absl::StrSplit(stored, '$');
  int log_n = 0, r = 0, p = 0;
  if (parts.size() != 6 || parts[0] != "scrypt" || !absl::SimpleAtoi(parts[1], &log_n) ||
      !absl::SimpleAtoi(parts[2], &r) || !absl::SimpleAtoi(parts[3], &p) || log_n < 10 ||
      log_n > 20) {
    return false;
  }
  auto salt = Base64UrlDecode(parts[4]);
  auto expected = Base64UrlDecode(parts[5]);
  if (!salt || !expected || expected->size() != kHashBytes) return false;
  std::string actual;
  if (!Scrypt(password, *salt, log_n, r, p, &actual)) return false;
  return CRYPTO_memcmp(actual.data(), expected->data(), kHashBytes) == 0;
}

const std::string& DecoyPasswordHash() {
  static const std::string decoy = *HashPassword(Base64UrlEncode(RandomBytes(24)));
  return decoy;
}

}  // namespace hartslag::directory
