// Handling deadlines count working days as a Dutch municipality does.
#include "services/common/working_days.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "services/common/server.h"

namespace hartslag {
namespace {

using absl::CivilDay;

TEST(WorkingDaysTest, EasterIsComputedForAnyYear) {
  EXPECT_EQ(EasterSunday(2024), CivilDay(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), CivilDay(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2026), CivilDay(2026, 4, 5));
  EXPECT_EQ(EasterSunday(2027), CivilDay(2027, 3, 28));
  EXPECT_EQ(EasterSunday(2038), CivilDay(2038, 4, 25));
}

TEST(WorkingDaysTest, TheDutchPublicHolidaysOf2026) {
  for (CivilDay holiday : {CivilDay(2026, 1, 1), CivilDay(2026, 4, 3), CivilDay(2026, 4, 6), CivilDay(2026, 4, 27),
                           CivilDay(2026, 5, 14), CivilDay(2026, 5, 25), CivilDay(2026, 12, 25),
                           CivilDay(2026, 12, 26)}) {
    EXPECT_TRUE(IsDutchPublicHoliday(holiday)) << holiday;
  }
  EXPECT_FALSE(IsDutchPublicHoliday(CivilDay(2026, 5, 5))) << "Liberation Day only in lustrum years";
  EXPECT_TRUE(IsDutchPublicHoliday(CivilDay(2025, 5, 5)));
  EXPECT_FALSE(IsDutchPublicHoliday(CivilDay(2026, 4, 28)));
}

TEST(WorkingDaysTest, KingsDayOnASundayIsTheSaturdayBefore) {
  EXPECT_TRUE(IsDutchPublicHoliday(CivilDay(2025, 4, 26)));
  EXPECT_FALSE(IsDutchPublicHoliday(CivilDay(2025, 4, 27)));
}

TEST(WorkingDaysTest, TwoWorkingDaysFromFriday24April2026SkipKingsDay) {
  WorkingDays days;
  EXPECT_FALSE(days.IsWorkingDay(CivilDay(2026, 4, 25)));
  EXPECT_FALSE(days.IsWorkingDay(CivilDay(2026, 4, 27)));
  EXPECT_EQ(days.After(CivilDay(2026, 4, 24), 2), CivilDay(2026, 4, 29));
  EXPECT_EQ(days.After(CivilDay(2026, 4, 24), 0), CivilDay(2026, 4, 24));
}

TEST(WorkingDaysTest, ATenantsClosingDaysCountAsHolidays) {
  WorkingDays days({CivilDay(2026, 5, 15)});  // the Friday after Ascension
  EXPECT_EQ(days.After(CivilDay(2026, 5, 13), 1), CivilDay(2026, 5, 18));
  EXPECT_EQ(WorkingDays().After(CivilDay(2026, 5, 13), 1), CivilDay(2026, 5, 15));
}

TEST(WorkingDaysTest, ADeadlineKeepsTheTimeOfDayInTheTenantsZone) {
  absl::TimeZone amsterdam, kralendijk;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  ASSERT_TRUE(absl::LoadTimeZone("America/Kralendijk", &kralendijk));
  absl::Time reported = absl::FromCivil(absl::CivilSecond(2026, 4, 24, 10, 30, 0), amsterdam);
  EXPECT_EQ(DeadlineAfter(reported, 2, DayCount::kWorking, WorkingDays(), amsterdam),
            absl::FromCivil(absl::CivilSecond(2026, 4, 29, 10, 30, 0), amsterdam));
  EXPECT_EQ(DeadlineAfter(reported, 6, DayCount::kCalendar, WorkingDays(), amsterdam),
            absl::FromCivil(absl::CivilSecond(2026, 4, 30, 10, 30, 0), amsterdam));
  // Over the change to summer time a calendar day is 23 hours.
  absl::Time saturday = absl::FromCivil(absl::CivilSecond(2026, 3, 28, 12, 0, 0), amsterdam);
  EXPECT_EQ(DeadlineAfter(saturday, 1, DayCount::kCalendar, WorkingDays(), amsterdam) - saturday, absl::Hours(23));
  // 23:30 on Friday in Bonaire is already Saturday in Amsterdam: each
  // counts from its own Friday.
  absl::Time late_friday = absl::FromCivil(absl::CivilSecond(2026, 4, 24, 23, 30, 0), kralendijk);
  EXPECT_EQ(DeadlineAfter(late_friday, 1, DayCount::kWorking, WorkingDays(), kralendijk),
            absl::FromCivil(absl::CivilSecond(2026, 4, 28, 23, 30, 0), kralendijk));
}

// Each test runs in a process of its own (ctest), so no zone is cached yet.
TEST(TimeZoneDatabaseTest, AServiceRefusesToStartWithoutIt) {
  ASSERT_TRUE(RequireTimeZoneDatabase().ok()) << "tzdata is installed here";
}

TEST(TimeZoneDatabaseTest, AMissingDatabaseIsNamedNotReplacedByUtc) {
  setenv("TZDIR", "/nonexistent-zoneinfo", 1);
  absl::Status missing = RequireTimeZoneDatabase();
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition) << missing;
  EXPECT_NE(missing.message().find("tzdata"), absl::string_view::npos) << missing;
}

}  // namespace
}  // namespace hartslag
