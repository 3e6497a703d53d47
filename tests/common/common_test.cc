// Small shared pieces: text checks, base64url, page tokens, flags.
#include <gtest/gtest.h>

#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/page_token.h"
#include "services/common/text.h"

namespace hartslag {
namespace {

TEST(Utf8Test, CountsCodePointsAndRefusesInvalidSequences) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("Casu\xc3\xafstiek"), 10u);
  EXPECT_EQ(Utf8Length("\xf0\x9f\x98\x80"), 1u);
  EXPECT_EQ(Utf8Length("\xff"), std::nullopt);
  EXPECT_EQ(Utf8Length("\xc3"), std::nullopt);          // truncated
  EXPECT_EQ(Utf8Length("\xc0\xaf"), std::nullopt);      // overlong
  EXPECT_EQ(Utf8Length("\xed\xa0\x80"), std::nullopt);  // surrogate
  EXPECT_EQ(Utf8Length("\xf4\x90\x80\x80"), std::nullopt);  // above U+10FFFF
}

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes) << n;
    bytes.push_back(static_cast<char>(n * 37));
  }
  EXPECT_EQ(Base64UrlDecode("a+b/"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("abc="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("a"), std::nullopt);
}

TEST(PageTokenTest, RoundTripsForTheSameFilter) {
  std::string token = EncodePageToken("filter-1", {"1700000000000000", "abc"});
  auto position = DecodePageToken(token, "filter-1");
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, (std::vector<std::string>{"1700000000000000", "abc"}));
}

TEST(PageTokenTest, RefusesAnotherFilterOrGarbage) {
  std::string token = EncodePageToken("filter-1", {"x"});
  EXPECT_EQ(DecodePageToken(token, "filter-2").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken("garbage!", "filter-1").status().code(), absl::StatusCode::kInvalidArgument);
}

// A page of 200 signals of 45 KB each passed the 4 MiB message limit.
TEST(PageLengthTest, APageEndsBeforeItsByteBudgetButHoldsAtLeastOneItem) {
  std::vector<std::string> items(10, std::string(1000, 'x'));
  auto size = [](const std::string& s) { return s.size(); };
  EXPECT_EQ(PageLength(items, 5, size, 1 << 20), 5u) << "the count bounds first";
  EXPECT_EQ(PageLength(items, 10, size, 2500), 2u) << "then the bytes";
  EXPECT_EQ(PageLength(items, 10, size, 10), 1u) << "one item larger than the budget is a page of its own";
  EXPECT_EQ(PageLength(std::vector<std::string>{}, 10, size, 10), 0u);
}

TEST(PageSizeTest, DefaultsCapsAndRefusesNegative) {
  EXPECT_EQ(*EffectivePageSize(0, 50, 200), 50);
  EXPECT_EQ(*EffectivePageSize(10, 50, 200), 10);
  EXPECT_EQ(*EffectivePageSize(5000, 50, 200), 200);
  EXPECT_FALSE(EffectivePageSize(-1, 50, 200).ok());
}

TEST(FlagsTest, CommandLineBeatsEnvironmentBeatsDefault) {
  setenv("HARTSLAG_TEST_FLAG_A", "from-env", 1);
  setenv("HARTSLAG_TEST_FLAG_B", "from-env", 1);
  Flags flags("test", "test");
  flags.Add("a", "HARTSLAG_TEST_FLAG_A", "default", "");
  flags.Add("b", "HARTSLAG_TEST_FLAG_B", "default", "");
  flags.Add("c", "HARTSLAG_TEST_FLAG_C_UNSET", "default", "");
  flags.AddBool("json", "", false, "");
  ASSERT_TRUE(flags.Parse({"--a=cli", "positional", "--json"}).ok());
  EXPECT_EQ(flags.Get("a"), "cli");
  EXPECT_EQ(flags.Get("b"), "from-env");
  EXPECT_EQ(flags.Get("c"), "default");
  EXPECT_TRUE(flags.GetBool("json"));
  EXPECT_EQ(flags.positionals(), std::vector<std::string>{"positional"});
}

TEST(FlagsTest, UnknownFlagAndMissingValueAreErrors) {
  Flags flags("test", "test");
  flags.Add("a", "", "", "");
  EXPECT_EQ(flags.Parse({"--nope"}).code(), absl::StatusCode::kInvalidArgument);
  Flags again("test", "test");
  again.Add("a", "", "", "");
  EXPECT_EQ(again.Parse({"--a"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(FlagsTest, HelpListsFlagsWithTheirEnvironmentVariables) {
  Flags flags("hartslag-test", "does things");
  flags.Add("listen", "HARTSLAG_TEST_LISTEN", "127.0.0.1:1", "address");
  EXPECT_NE(flags.Usage().find("--listen=VALUE"), std::string::npos);
  EXPECT_NE(flags.Usage().find("[env HARTSLAG_TEST_LISTEN]"), std::string::npos);
}

}  // namespace
}  // namespace hartslag
