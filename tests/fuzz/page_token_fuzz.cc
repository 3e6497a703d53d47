// Fuzzes DecodePageToken (services/common/page_token.h): every List RPC
// decodes the page_token its caller sends.
//
// The first byte chooses what the rest is:
//   '0' (even)  the page token text as a caller sends it;
//   '1' (odd)   the JSON inside a token, which the target base64url-encodes
//               first, so the JSON handling is reached on every run.
// Tokens are decoded for the filter fingerprint "fp". A position that decodes
// must survive EncodePageToken and decode to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr absl::string_view kFingerprint = "fp";
  absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string token = data[0] % 2 == 0 ? std::string(rest) : hartslag::Base64UrlEncode(rest);
  auto position = hartslag::DecodePageToken(token, kFingerprint);
  if (!position.ok()) return 0;
  auto again = hartslag::DecodePageToken(hartslag::EncodePageToken(kFingerprint, *position), kFingerprint);
  if (!again.ok() || *again != *position) std::abort();
  if (hartslag::DecodePageToken(token, "another filter").ok()) std::abort();
  return 0;
}
