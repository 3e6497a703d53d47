// The client library's pure parts: backoff, reading a token's expiry and the
// atomic file replacement the cursor and token files rely on.
#include <gtest/gtest.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "clients/cpp/backoff.h"
#include "clients/cpp/token_source.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/token.h"
#include "tests/support/test_keys.h"

namespace hartslag::client {
namespace {

TEST(BackoffTest, WaitsGrowTwofoldWithJitterUpToTheMaxAndStartOverAfterReset) {
  Backoff backoff({absl::Milliseconds(100), absl::Milliseconds(800)});
  absl::Duration ceiling = absl::Milliseconds(100);
  for (int i = 0; i < 8; ++i) {
    absl::Duration wait = backoff.Next();
    EXPECT_GE(wait, ceiling / 2) << i;
    EXPECT_LE(wait, ceiling) << i;
    ceiling = std::min(ceiling * 2, absl::Milliseconds(800));
  }
  backoff.Reset();
  EXPECT_LE(backoff.Next(), absl::Milliseconds(100));
}

TEST(ExpiryOfTest, ReadsTheExpiryOfAJwtAndRefusesAnythingElse) {
  TokenClaims claims = testing::ClaimsFor("sanne.coach", "gemeente", "MUNICIPALITY", {"REPORTER"}, {});
  claims.expires_at = absl::FromUnixSeconds(1900000000);
  TokenSigner signer = *TokenSigner::FromPem(testing::NewEd25519KeyPair().private_pem);
  EXPECT_EQ(*ExpiryOf(*signer.Sign(claims)), absl::FromUnixSeconds(1900000000));
  for (const char* bad : {"", "abc", "a.b.c", "a.e30.c" /* {} */}) {
    EXPECT_EQ(ExpiryOf(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(WriteFileAtomicallyTest, ReplacesTheFileReadableByTheOwnerOnlyAndLeavesNoTemporary) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("hartslag-atomic-" + HexEncode(RandomBytes(4)));
  std::filesystem::create_directories(dir);
  const std::string path = dir / "cursor";
  ASSERT_TRUE(WriteFileAtomically(path, "17\n", "cursor file").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "18\n", "cursor file").ok());
  EXPECT_EQ(*ReadFile(path, "cursor file"), "18\n");
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  absl::Status refused = WriteFileAtomically((dir / "missing" / "cursor").string(), "1", "cursor file");
  EXPECT_EQ(refused.message(), absl::StrCat("cursor file: cannot write ", (dir / "missing" / "cursor").string()));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hartslag::client
