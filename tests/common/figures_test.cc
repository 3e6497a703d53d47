// The rules every service's figures share (services/common/figures.h): small
// counts are withheld, weeks are ISO weeks in the municipality's zone, a
// period is bounded and named field by field, and the areas counted follow
// the caller's role.
#include "services/common/figures.h"

#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"

namespace hartslag {
namespace {

TEST(FiguresTest, CountsOfOneToFourAreWithheldZeroAndFiveAndMoreAreShown) {
  struct Case {
    int64_t count;
    bool suppressed;
    int64_t value;
    const char* text;
  } cases[] = {{0, false, 0, "0"}, {1, true, 0, "<5"},   {2, true, 0, "<5"},      {4, true, 0, "<5"},
               {5, false, 5, "5"}, {6, false, 6, "6"}, {12345, false, 12345, "12345"}};
  for (const Case& c : cases) {
    common::v1::SuppressedCount published = PublishedCount(c.count);
    EXPECT_EQ(IsSuppressed(c.count), c.suppressed) << c.count;
    EXPECT_EQ(published.suppressed(), c.suppressed) << c.count;
    EXPECT_EQ(published.value(), c.value) << c.count << ": a withheld count leaves as 0";
    EXPECT_EQ(CountText(published), c.text) << c.count;
  }
}

TEST(FiguresTest, ALoneWithheldCellOfASumTakesTheSmallestShownCellWithIt) {
  // 11 received: 5 in time, 0 overdue, 5 late, 1 waiting. Without a second
  // withheld cell, 11 - 5 - 0 - 5 would give the waiting one away.
  auto cells = [](std::vector<int64_t> counts) {
    std::vector<common::v1::SuppressedCount> out;
    for (int64_t c : counts) out.push_back(PublishedCount(c));
    return out;
  };
  std::vector<common::v1::SuppressedCount> row = cells({11, 6, 0, 5, 1});
  ProtectSums({{&row[0], &row[1], &row[2], &row[3], &row[4]}});
  std::vector<std::string> shown;
  for (const auto& c : row) shown.push_back(CountText(c));
  EXPECT_EQ(shown, (std::vector<std::string>{"11", "6", "0", "x", "<5"})) << "the smallest shown, never a zero";
  EXPECT_EQ(row[3].value(), 0) << "a withheld count leaves as 0";

  // Two withheld cells already: nothing to add.
  std::vector<common::v1::SuppressedCount> two = cells({7, 3, 4, 0});
  ProtectSums({{&two[0], &two[1], &two[2], &two[3]}});
  EXPECT_EQ(CountText(two[0]), "7");

  // A cell withheld for one sum counts as withheld in the other it shares.
  std::vector<common::v1::SuppressedCount> shared = cells({20, 10, 9, 1, 12, 8});
  // received = handled 10 + waiting 9 + late 1; received = accepted 12 + referred 8 (+ waiting 0 elsewhere)
  ProtectSums({{&shared[0], &shared[1], &shared[2], &shared[3]}, {&shared[0], &shared[4], &shared[5]}});
  EXPECT_EQ(CountText(shared[2]), "x");
  EXPECT_EQ(CountText(shared[4]), "12") << "the second sum had no withheld cell";
}

TEST(FiguresTest, WeeksAreIsoWeeksOfTheYearOfTheirThursday) {
  struct Case {
    absl::CivilDay day;
    const char* week;
  } cases[] = {
      {absl::CivilDay(2026, 12, 28), "2026-W53"},  // Monday of the 53rd week
      {absl::CivilDay(2026, 12, 31), "2026-W53"},  // its Thursday
      {absl::CivilDay(2027, 1, 1), "2026-W53"},    // a Friday: still 2026's week
      {absl::CivilDay(2027, 1, 3), "2026-W53"},    // its Sunday
      {absl::CivilDay(2027, 1, 4), "2027-W01"},    // the next Monday
      {absl::CivilDay(2025, 12, 29), "2026-W01"},  // a Monday in December: 2026's first week
      {absl::CivilDay(2026, 1, 1), "2026-W01"},
      {absl::CivilDay(2026, 3, 2), "2026-W10"},    // zero-padded, so that labels sort
      {absl::CivilDay(2026, 12, 3), "2026-W49"},
      {absl::CivilDay(2021, 1, 3), "2020-W53"},
      {absl::CivilDay(2024, 12, 30), "2025-W01"},
  };
  for (const Case& c : cases) EXPECT_EQ(IsoWeekLabel(c.day), c.week) << c.day;
}

TEST(FiguresTest, AMomentFallsInTheWeekOfItsDayInTheMunicipalitysZone) {
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  absl::TimeZone kralendijk;
  ASSERT_TRUE(absl::LoadTimeZone("America/Kralendijk", &kralendijk));
  // 31 December 2026, 23:30 UTC: already 1 January 2027 in Amsterdam.
  absl::Time new_year = absl::FromCivil(absl::CivilMinute(2026, 12, 31, 23, 30), absl::UTCTimeZone());
  EXPECT_EQ(IsoWeekLabel(new_year, amsterdam), "2026-W53");
  // Sunday 6 December 2026, 23:30 UTC: Monday in Amsterdam (a new week),
  // still Sunday evening in Bonaire.
  absl::Time sunday_night = absl::FromCivil(absl::CivilMinute(2026, 12, 6, 23, 30), absl::UTCTimeZone());
  EXPECT_EQ(IsoWeekLabel(sunday_night, amsterdam), "2026-W50");
  EXPECT_EQ(IsoWeekLabel(sunday_night, kralendijk), "2026-W49");
}

common::v1::ReportingPeriod Period(const std::string& start, const std::string& end) {
  common::v1::ReportingPeriod period;
  period.set_start_date(start);
  period.set_end_date(end);
  return period;
}

TEST(FiguresTest, APeriodIsWholeDaysEndAfterStartAtMostTwoYears) {
  absl::StatusOr<FiguresPeriod> november = CheckPeriod(Period("2026-11-01", "2026-12-01"));
  ASSERT_TRUE(november.ok()) << november.status();
  EXPECT_EQ(november->start, absl::CivilDay(2026, 11, 1));
  EXPECT_EQ(november->end, absl::CivilDay(2026, 12, 1));
  EXPECT_TRUE(CheckPeriod(Period("2025-01-01", "2027-01-02")).ok()) << "731 days";

  struct Case {
    const char* start;
    const char* end;
    const char* message;
  } refused[] = {
      {"", "2026-12-01", "period.start_date: must be a day as YYYY-MM-DD between 2000 and 2999"},
      {"2026-11-01", "1 december", "period.end_date: must be a day as YYYY-MM-DD between 2000 and 2999"},
      {"2026-02-30", "2026-03-01", "period.start_date: must be a day as YYYY-MM-DD between 2000 and 2999"},
      {"1999-12-31", "2000-01-02", "period.start_date: must be a day as YYYY-MM-DD between 2000 and 2999"},
      {"2026-12-01", "2026-12-01", "period.end_date: must be after period.start_date"},
      {"2026-12-01", "2026-11-01", "period.end_date: must be after period.start_date"},
      {"2025-01-01", "2027-01-03", "period.end_date: at most 731 days after period.start_date"},
      {"x", "y",
       "period.start_date: must be a day as YYYY-MM-DD between 2000 and 2999; "
       "period.end_date: must be a day as YYYY-MM-DD between 2000 and 2999"},
  };
  for (const Case& c : refused) {
    absl::StatusOr<FiguresPeriod> checked = CheckPeriod(Period(c.start, c.end));
    ASSERT_FALSE(checked.ok()) << c.start << ".." << c.end;
    EXPECT_EQ(checked.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(checked.status().message(), c.message);
  }
}

// Heerlen-Noord with two wijken, and Heerlen-Zuid.
absl::StatusOr<std::set<std::string>> Below(const std::vector<std::string>& roots) {
  const std::map<std::string, std::set<std::string>> tree = {
      {"heerlen-noord", {"heerlen-noord", "vrieheide", "gms"}},
      {"vrieheide", {"vrieheide"}},
      {"gms", {"gms"}},
      {"heerlen-zuid", {"heerlen-zuid"}}};
  std::set<std::string> below;
  for (const std::string& root : roots) {
    auto found = tree.find(root);
    if (found != tree.end()) below.insert(found->second.begin(), found->second.end());
  }
  return below;
}

RequestContext Caller(Role role, std::vector<std::string> areas) {
  RequestContext caller;
  caller.tenant = "heerlen";
  caller.roles = {role};
  caller.areas = std::move(areas);
  return caller;
}

TEST(FiguresTest, ACoordinatorCountsItsAreasAnAdminTheWholeMunicipality) {
  using Areas = std::optional<std::vector<std::string>>;
  EXPECT_EQ(*FiguresAreas(Caller(Role::kAdmin, {}), "", Below), Areas());
  EXPECT_EQ(*FiguresAreas(Caller(Role::kAdmin, {}), "heerlen-zuid", Below),
            Areas(std::vector<std::string>{"heerlen-zuid"}));
  EXPECT_EQ(*FiguresAreas(Caller(Role::kCoordinator, {"heerlen-noord"}), "", Below),
            Areas(std::vector<std::string>{"gms", "heerlen-noord", "vrieheide"}));
  EXPECT_EQ(*FiguresAreas(Caller(Role::kCoordinator, {"heerlen-noord"}), "vrieheide", Below),
            Areas(std::vector<std::string>{"vrieheide"}));
  EXPECT_EQ(*FiguresAreas(Caller(Role::kCoordinator, {"heerlen-zuid"}), "", Below),
            Areas(std::vector<std::string>{"heerlen-zuid"}));
  EXPECT_EQ(*FiguresAreas(Caller(Role::kReporter, {"heerlen-noord"}), "", Below), Areas(std::vector<std::string>{}))
      << "no other role counts anything";

  absl::Status outside = FiguresAreas(Caller(Role::kCoordinator, {"heerlen-zuid"}), "vrieheide", Below).status();
  EXPECT_EQ(outside.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(outside.message(), "area_id: outside your areas");
  absl::Status unknown = FiguresAreas(Caller(Role::kAdmin, {}), "atlantis", Below).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message(), "area_id: not a known area");
  EXPECT_EQ(FiguresAreas(Caller(Role::kAdmin, {}), "Not An Id!", Below).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hartslag
