#include "services/common/reference.h"

#include <gtest/gtest.h>

namespace hartslag {
namespace {

TEST(ReferenceTest, NumbersArePaddedToSixDigits) {
  EXPECT_EQ(FormatReference("SV", 2026, 123), "SV-2026-000123");
  EXPECT_EQ(FormatReference("SV", 2026, 1), "SV-2026-000001");
}

TEST(ReferenceTest, NumbersPastAMillionGrow) {
  EXPECT_EQ(FormatReference("SV", 2027, 1234567), "SV-2027-1234567");
}

TEST(ReferenceTest, YearIsTheTenantsLocalYear) {
  // 23:30 UTC on 31 December is 00:30 on 1 January in Heerlen.
  absl::Time new_years_night =
      absl::FromCivil(absl::CivilSecond(2026, 12, 31, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(ReferenceYear(new_years_night, "Europe/Amsterdam"), 2027);
  EXPECT_EQ(ReferenceYear(new_years_night, "UTC"), 2026);
}

TEST(ReferenceTest, RecognisesReferences) {
  EXPECT_TRUE(LooksLikeReference("SV-2026-000123"));
  EXPECT_TRUE(LooksLikeReference("SV-2027-1234567"));
  EXPECT_FALSE(LooksLikeReference("sv-2026-000123"));
  EXPECT_FALSE(LooksLikeReference("SV-26-000123"));
  EXPECT_FALSE(LooksLikeReference("SV-2026-123"));
  EXPECT_FALSE(LooksLikeReference("SV-2026-000123'; DROP TABLE"));
}

// A reference's number fits a bigint; anything longer is not a reference,
// and checking it neither recurses nor takes time per character twice over
// (std::regex overflowed the stack at 30,000 digits).
TEST(ReferenceTest, HugeInputIsNoReferenceAndDoesNotCrash) {
  EXPECT_TRUE(LooksLikeReference("SV-2026-" + std::string(18, '9')));
  EXPECT_FALSE(LooksLikeReference("SV-2026-" + std::string(19, '9')));
  EXPECT_FALSE(LooksLikeReference("SV-2026-" + std::string(1 << 20, '1')));
}

}  // namespace
}  // namespace hartslag
