#include "services/common/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

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
  return Pseudonymizer(std::move(key));
}

std::string Pseudonymizer::Keyed(absl::string_view kind, absl::string_view normalised) const {
  std::string data = absl::StrCat(kind, "\n", normalised);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  return absl::StrCat(kind, ":", HexEncode(absl::string_view(reinterpret_cast<char*>(mac), length)));
}

std::string Pseudonymizer::Person(absl::string_view name, int birth_year) const {
  return Keyed("person", absl::StrCat(Folded(name), "|", birth_year));
}

std::string Pseudonymizer::Address(const common::v1::Address& address) const {
  return Keyed("address", absl::StrCat(WithoutSpaces(address.postcode()), "|", address.house_number(),
                                       "|", WithoutSpaces(address.house_number_addition())));
}

}  // namespace hartslag
