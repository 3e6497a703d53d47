#include "services/common/pseudonym.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_join.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/status_macros.h"

namespace hartslag {
namespace {

// Lower case, runs of whitespace as one space, no leading or trailing space.
std::string Folded(absl::string_view text) {
  std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::AsciiStrToLower(absl::StrJoin(words, " "));
}

std::string WithoutSpaces(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) out.push_back(absl::ascii_toupper(c));
  }
  return out;
}

}  // namespace

absl::StatusOr<Pseudonymizer> Pseudonymizer::FromFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string key, ReadFile(path, "--pseudonym-key"));
  key = std::string(absl::StripAsciiWhitespace(key));
  if (key.size() < 32) {
    return absl::InvalidArgumentError("--pseudonym-key: the key file must hold at least 32 bytes");
  }
  return Pseudonymizer(key);
}

Pseudonymizer::Pseudonymizer(const std::string& key) {
  static EVP_MAC* const kHmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* keyed = kHmac == nullptr ? nullptr : EVP_MAC_CTX_new(kHmac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  // Without a MAC no audit record could name its subjects: no way to go on.
  if (keyed == nullptr ||
      EVP_MAC_init(keyed, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    std::abort();
  }
  keyed_.reset(keyed, EVP_MAC_CTX_free);
}

std::string Pseudonymizer::Keyed(absl::string_view kind, absl::string_view normalised) const {
  std::string data = absl::StrCat(kind, "\n", normalised);
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> mac(EVP_MAC_CTX_dup(keyed_.get()), EVP_MAC_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t length = 0;
  if (mac == nullptr || EVP_MAC_update(mac.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(mac.get(), out, &length, sizeof out) != 1) {
    std::abort();
  }
  return absl::StrCat(kind, ":", HexEncode(absl::string_view(reinterpret_cast<char*>(out), length)));
}

std::string Pseudonymizer::Person(absl::string_view name, int birth_year) const {
  return Keyed("person", absl::StrCat(Folded(name), "|", birth_year));
}

std::string Pseudonymizer::Address(const common::v1::Address& address) const {
  return Keyed("address", absl::StrCat(WithoutSpaces(address.postcode()), "|", address.house_number(),
                                       "|", WithoutSpaces(address.house_number_addition())));
}

}  // namespace hartslag
