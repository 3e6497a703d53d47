// Fuzzes TokenVerifier::Verify (services/common/token.h), the first thing
// every RPC runs on the bearer token a caller sends.
//
// The first byte chooses what the rest is:
//   '0' (byte % 3 == 0)  the token text itself, verified as sent;
//   '1' (byte % 3 == 1)  "<header JSON>\n<payload JSON>", which the target
//                        encodes and signs with the verifier's key, so the
//                        header and claim parsing behind the signature check
//                        is reached too;
//   '2' (byte % 3 == 2)  a payload JSON, signed under the correct header.
// Verification runs at a fixed time, 2026-03-01T00:00:00Z (1772323200).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/crypto.h"
#include "services/common/token.h"
#include "tests/fuzz/fuzz_key.h"

namespace {

using hartslag::KeyPtr;
using hartslag::TokenVerifier;

struct Fixture {
  KeyPtr signing_key;
  std::string key_id;
  TokenVerifier verifier;
};

const Fixture& TheFixture() {
  static const Fixture* fixture = [] {
    auto key = hartslag::ParseEd25519Pem(hartslag::fuzz::kPrivateKeyPem, /*is_private=*/true);
    if (!key.ok()) std::abort();
    auto key_id = hartslag::KeyIdOf(key->get());
    hartslag::TokenVerifierOptions options;
    options.tenants = {"heerlen"};
    auto verifier = TokenVerifier::FromPem({hartslag::fuzz::kPublicKeyPem}, options);
    if (!key_id.ok() || !verifier.ok()) std::abort();
    return new Fixture{*key, *key_id, *verifier};
  }();
  return *fixture;
}

// "<header>.<payload>.<signature>" signed with the fixture's key.
std::string SignedToken(absl::string_view header, absl::string_view payload) {
  std::string input =
      absl::StrCat(hartslag::Base64UrlEncode(header), ".", hartslag::Base64UrlEncode(payload));
  auto signature = hartslag::Ed25519Sign(TheFixture().signing_key.get(), input);
  if (!signature.ok()) std::abort();
  return absl::StrCat(input, ".", hartslag::Base64UrlEncode(*signature));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Fixture& fixture = TheFixture();
  absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string token;
  switch (data[0] % 3) {
    case 0:
      token = std::string(rest);
      break;
    case 1: {
      size_t newline = rest.find('\n');
      if (newline == absl::string_view::npos) return 0;
      token = SignedToken(rest.substr(0, newline), rest.substr(newline + 1));
      break;
    }
    default:
      token = SignedToken(
          absl::StrCat(R"({"alg":"EdDSA","typ":"JWT","kid":")", fixture.key_id, R"("})"), rest);
      break;
  }
  auto claims = fixture.verifier.Verify(token, absl::FromUnixSeconds(1772323200));
  if (claims.ok() && (claims->issuer != "hartslag-dev" || claims->tenant != "heerlen" ||
                      claims->subject.empty())) {
    std::abort();  // accepted a token the options refuse
  }
  return 0;
}
