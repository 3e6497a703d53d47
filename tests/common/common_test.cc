// Small shared pieces: text checks, ids, base64url, page tokens, flags.
#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

#include "hartslag/directory/v1/directory.pb.h"
#include "hartslag/operations/v1/operations.pb.h"
#include "services/common/all_pages.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/json_writer.h"
#include "services/common/page_token.h"
#include "services/common/pseudonym.h"
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

TEST(UuidTest, RandomIdsAreVersion4AndTimeOrderedIdsVersion7WithTheirMillisecond) {
  std::string random = RandomUuid();
  EXPECT_TRUE(IsUuid(random));
  EXPECT_EQ(random[14], '4');
  EXPECT_NE(std::string("89ab").find(random[19]), std::string::npos);

  const int64_t before = absl::ToUnixMillis(absl::Now());
  std::string first = TimeOrderedUuid();
  const int64_t after = absl::ToUnixMillis(absl::Now());
  EXPECT_TRUE(IsUuid(first));
  EXPECT_EQ(first[14], '7');
  EXPECT_NE(std::string("89ab").find(first[19]), std::string::npos);
  // The first 48 bits are the Unix time in milliseconds when it was made.
  const int64_t millis = std::stoll(first.substr(0, 8) + first.substr(9, 4), nullptr, 16);
  EXPECT_GE(millis, before);
  EXPECT_LE(millis, after);

  // Ids of a later millisecond sort after it, in text as in the database's
  // uuid order; within one millisecond the random bits keep them apart.
  absl::SleepFor(absl::Milliseconds(2));
  std::string later = TimeOrderedUuid();
  EXPECT_LT(first, later);
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(TimeOrderedUuid());
  EXPECT_EQ(ids.size(), 1000u);
}

// What JsonObject writes, a JSON parser reads back as it was given: every
// ASCII character (the control characters escaped), UTF-8 beyond it,
// doubles to the last bit, and JSON written elsewhere put in as it is.
TEST(JsonWriterTest, WritesWhatAParserReadsBackAsGiven) {
  std::string every_ascii;
  for (int c = 0; c < 0x80; ++c) every_ascii.push_back(static_cast<char>(c));
  const std::string dutch = "Zorg \"om\" C:\\deur\n\t€ ñ 😀";
  const double latitude = 50.91234567890123, tiny = 5e-324;
  std::string out = "[";
  JsonObject first(out);
  first.String("ascii", every_ascii).String("dutch", dutch).Int("number", -9007199254740993).Double("latitude", latitude)
      .Double("tiny", tiny).Double("infinite", std::numeric_limits<double>::infinity()).Null("none")
      .Raw("persons", R"([{"name":"Jan"}])");
  first.Close();
  out += ",";
  JsonObject empty(out);
  empty.Close();
  out += "]";

  nlohmann::json parsed = nlohmann::json::parse(out);  // throws on anything that is not JSON
  ASSERT_EQ(parsed.size(), 2u);
  const nlohmann::json& row = parsed[0];
  EXPECT_EQ(row["ascii"].get<std::string>(), every_ascii);
  EXPECT_EQ(row["dutch"].get<std::string>(), dutch);
  EXPECT_EQ(row["number"].get<int64_t>(), -9007199254740993);
  EXPECT_EQ(row["latitude"].get<double>(), latitude);
  EXPECT_EQ(row["tiny"].get<double>(), tiny);
  EXPECT_TRUE(row["infinite"].is_null()) << "JSON holds no infinity";
  EXPECT_TRUE(row["none"].is_null());
  EXPECT_EQ(row["persons"][0]["name"], "Jan");
  EXPECT_TRUE(parsed[1].is_object() && parsed[1].empty());
  EXPECT_EQ(out.find('\x01'), std::string::npos) << "no raw control character in the text";
}

// Pseudonyms are stored in the audit log and searched by for years: the
// same person must keep the same pseudonym from release to release. The
// expected values are HMAC-SHA-256 computed apart from this code:
//   printf 'person\njan jansen|1970' | openssl dgst -sha256 -hmac kkkk...k (32 k's)
TEST(PseudonymTest, IsTheKeyedHashOfTheNormalisedPersonOrAddress) {
  const Pseudonymizer pseudonyms(std::string(32, 'k'));
  const std::string jan = "person:73836e2b4e29a0a16f25fffb544e6048a26a0d0fa5ef5e6b1acf7df65448027b";
  EXPECT_EQ(pseudonyms.Person("Jan Jansen", 1970), jan);
  EXPECT_EQ(pseudonyms.Person("  jan\tJANSEN ", 1970), jan) << "case and spacing do not matter";
  EXPECT_NE(pseudonyms.Person("Jan Jansen", 1971), jan);
  EXPECT_NE(Pseudonymizer(std::string(32, 'x')).Person("Jan Jansen", 1970), jan) << "another key, another pseudonym";

  common::v1::Address address;
  address.set_postcode("6411 ab");
  address.set_house_number(12);
  address.set_house_number_addition("a");
  EXPECT_EQ(pseudonyms.Address(address),
            "address:46aa756287d15c7bae14b6f3dffa0cd6505b8cd866a605975ee1516b14356174");

  // One Pseudonymizer serves every thread of a service, and its copies share
  // the key it set up.
  const Pseudonymizer copy = pseudonyms;
  std::vector<std::thread> threads;
  std::vector<int> right(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) right[t] += (t % 2 == 0 ? pseudonyms : copy).Person("Jan Jansen", 1970) == jan;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(right, std::vector<int>(4, 500));
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

// Lists of users and organisations stand in for any list below.
using directory::v1::ListOrganisationsRequest;
using directory::v1::ListUsersRequest;
using directory::v1::ListUsersResponse;
using directory::v1::User;

TEST(PagingTest, ATokenContinuesOnlyTheListAndFilterItCameFrom) {
  ListUsersRequest first;
  first.set_organisation_id("politie");
  first.set_page_size(2);
  Paging paging = *PagingOf(first, 100, 500, 1);
  std::vector<User> users(3);
  for (int i = 0; i < 3; ++i) users[i].set_user_id(absl::StrCat("u", i));
  std::string token = CutPage(users, paging, [](const User& u) { return std::vector<std::string>{u.user_id()}; });
  ASSERT_EQ(users.size(), 2u);

  ListUsersRequest next = first;
  next.set_page_token(token);
  auto continued = PagingOf(next, 100, 500, 1);
  ASSERT_TRUE(continued.ok()) << continued.status();
  EXPECT_EQ(continued->after, std::vector<std::string>{"u1"});

  ListUsersRequest other_filter = next;
  other_filter.set_organisation_id("woonpunt");
  EXPECT_EQ(PagingOf(other_filter, 100, 500, 1).status().message().substr(0, 11), "page_token:");
  // Another list whose filter is as empty: a users token is no
  // organisations token.
  ListUsersRequest unfiltered;
  unfiltered.set_page_size(2);
  std::vector<User> all_users = users;
  all_users.emplace_back().set_user_id("u9");
  std::string users_token = CutPage(all_users, *PagingOf(unfiltered, 100, 500, 1),
                                    [](const User& u) { return std::vector<std::string>{u.user_id()}; });
  ASSERT_FALSE(users_token.empty());
  ListOrganisationsRequest other_list;
  other_list.set_page_token(users_token);
  EXPECT_EQ(PagingOf(other_list, 100, 500, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PagingOf(next, 100, 500, 2).status().code(), absl::StatusCode::kInvalidArgument)
      << "a position of another shape";
}

TEST(PagingTest, APageEndsAtItsSizeOrBeforeItsBytesButHoldsAtLeastOne) {
  ListUsersRequest request;
  request.set_page_size(10);
  Paging paging = *PagingOf(request, 100, 500, 1);
  auto position = [](const User& u) { return std::vector<std::string>{u.user_id()}; };
  std::vector<User> big(4);
  for (int i = 0; i < 4; ++i) big[i].set_user_id(std::string(900 * 1024, 'a' + i));
  std::string token = CutPage(big, paging, position);
  EXPECT_EQ(big.size(), 2u) << "two of 900 KiB fit in 2 MiB, three do not";
  EXPECT_FALSE(token.empty());
  std::vector<User> huge(2);
  huge[0].set_user_id(std::string(3 << 20, 'x'));
  huge[1].set_user_id("next");
  CutPage(huge, paging, position);
  EXPECT_EQ(huge.size(), 1u) << "one item always makes a page";
  std::vector<User> few(3);
  EXPECT_EQ(CutPage(few, paging, position), "") << "the last page has no next";
  EXPECT_EQ(few.size(), 3u);
}

TEST(PagingTest, AHandMadeTimePositionIsRefusedBeforeItReachesTheDatabase) {
  Paging paging;
  paging.after = {"9223372036854775807", "6d1f4c2e-0000-4000-8000-00000000abcd"};
  EXPECT_EQ(AfterTimeId(paging).status().code(), absl::StatusCode::kInvalidArgument);
  paging.after = {"1700000000000000", "not-a-uuid"};
  EXPECT_EQ(AfterTimeId(paging).status().code(), absl::StatusCode::kInvalidArgument);
  paging.after = {"1700000000000000", "6d1f4c2e-0000-4000-8000-00000000abcd"};
  auto after = AfterTimeId(paging);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->first, absl::FromUnixMicros(1700000000000000));
  EXPECT_EQ(*AfterTimeId(Paging()), std::nullopt);
}

TEST(AllPagesTest, ReadsEveryPageInOrderAndStopsAServerThatRepeatsItself) {
  std::vector<std::string> served = {"a", "b", "c", "d", "e"};
  auto fetch = [&](const ListUsersRequest& request, ListUsersResponse& page) {
    size_t from = request.page_token().empty() ? 0 : std::stoul(request.page_token());
    for (size_t i = from; i < std::min(from + 2, served.size()); ++i) page.add_users()->set_user_id(served[i]);
    if (from + 2 < served.size()) page.set_next_page_token(std::to_string(from + 2));
    return absl::OkStatus();
  };
  ListUsersResponse all;
  ASSERT_TRUE(AllPages(ListUsersRequest(), all, fetch).ok());
  ASSERT_EQ(all.users_size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(all.users(i).user_id(), served[i]);
  EXPECT_TRUE(all.next_page_token().empty());

  auto stuck = [](const ListUsersRequest&, ListUsersResponse& page) {
    page.set_next_page_token("same");
    return absl::OkStatus();
  };
  ListUsersResponse never;
  EXPECT_EQ(AllPages(ListUsersRequest(), never, stuck).code(), absl::StatusCode::kInternal);
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
  absl::Status missing = again.Parse({"--a"});
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsUsageError(missing)) << "the command line's fault: programs exit 2";
  EXPECT_EQ(UsageErrorCommand(missing), "test");
  EXPECT_FALSE(IsUsageError(absl::InvalidArgumentError("a service's refusal")));
}

TEST(FlagsTest, AShortNameStandsForItsFlag) {
  Flags flags("test", "test");
  flags.Add("output", "", "table", "");
  flags.AddShort("-o", "output");
  ASSERT_TRUE(flags.Parse({"-o", "csv", "-x"}).ok());
  EXPECT_EQ(flags.Get("output"), "csv");
  EXPECT_EQ(flags.positionals(), std::vector<std::string>{"-x"});
  EXPECT_NE(flags.Usage().find("-o, --output=VALUE"), std::string::npos) << flags.Usage();
}

TEST(FlagsTest, HelpListsFlagsWithTheirEnvironmentVariables) {
  Flags flags("hartslag-test", "does things");
  flags.Add("listen", "HARTSLAG_TEST_LISTEN", "127.0.0.1:1", "address");
  EXPECT_NE(flags.Usage().find("--listen=VALUE"), std::string::npos);
  EXPECT_NE(flags.Usage().find("[env HARTSLAG_TEST_LISTEN]"), std::string::npos);
}

}  // namespace
}  // namespace hartslag
