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

std::vector<common::v1::SuppressedCount> Cells(std::vector<int64_t> counts) {
  std::vector<common::v1::SuppressedCount> out;
  for (int64_t c : counts) out.push_back(PublishedCount(c));
  return out;
}

// The cells of one sum {total, parts...} protected, as shown.
std::vector<std::string> Protected(std::vector<int64_t> counts) {
  std::vector<common::v1::SuppressedCount> cells = Cells(std::move(counts));
  std::vector<common::v1::SuppressedCount*> sum;
  for (auto& c : cells) sum.push_back(&c);
  ProtectSums({sum});
  std::vector<std::string> shown;
  for (const auto& c : cells) shown.push_back(CountText(c));
  return shown;
}

using Shown = std::vector<std::string>;

TEST(FiguresTest, ALoneWithheldCellOfASumTakesTheSmallestShownCellWithIt) {
  // 20 received: 9 in time, 0 overdue, 10 late, 1 waiting. Without a second
  // withheld cell, 20 - 9 - 0 - 10 would give the waiting one away.
  std::vector<common::v1::SuppressedCount> row = Cells({20, 9, 0, 10, 1});
  ProtectSums({{&row[0], &row[1], &row[2], &row[3], &row[4]}});
  std::vector<std::string> shown;
  for (const auto& c : row) shown.push_back(CountText(c));
  EXPECT_EQ(shown, (Shown{"20", "x", "0", "10", "<5"})) << "the smallest shown, never a zero; x + <5 = 10 leaves "
                                                          "the <5 anything from 1 to 4";
  EXPECT_EQ(row[1].value(), 0) << "a withheld count leaves as 0";
  EXPECT_TRUE(row[1].suppressed());

  // A cell withheld for one sum counts as withheld in the other it shares.
  std::vector<common::v1::SuppressedCount> shared = Cells({20, 10, 9, 1, 12, 8});
  // received = handled 10 + waiting 9 + late 1; received = accepted 12 + referred 8 (+ waiting 0 elsewhere)
  ProtectSums({{&shared[0], &shared[1], &shared[2], &shared[3]}, {&shared[0], &shared[4], &shared[5]}});
  EXPECT_EQ(CountText(shared[2]), "x");
  EXPECT_EQ(CountText(shared[4]), "12") << "the second sum had no withheld cell";
}

TEST(FiguresTest, ASecondaryCellIsNotLeftWhereItsSumGivesItAndTheSmallCellAway) {
  // The reviewer's case: received 6 = in time 5 + overdue 1. Withholding
  // the 5 alone leaves 6 = x + <5, and as x is 5 or more and <5 1 or more,
  // x = 5 and <5 = 1. The total goes too.
  EXPECT_EQ(Protected({6, 5, 1, 0, 0}), (Shown{"x", "x", "<5", "0", "0"}));
  // 8 = x + <5 still leaves only 5..7 and 1..3: withheld (less than 9).
  EXPECT_EQ(Protected({8, 5, 3, 0}), (Shown{"x", "x", "<5", "0"}));
  // With another shown part to take instead of the total, that goes first.
  EXPECT_EQ(Protected({16, 5, 1, 10}), (Shown{"16", "x", "<5", "x"})) << "16 - x - x: <5 is any of 1..4";
  // 9 = x + <5: the <5 may be 1 to 4, the x 5 to 8. Enough.
  EXPECT_EQ(Protected({9, 5, 4, 0}), (Shown{"9", "x", "<5", "0"}));
  EXPECT_EQ(Protected({9, 6, 3}), (Shown{"9", "x", "<5"}));
  // 11 = 5 + 5 + 1: x + x + <5 = 11 makes each x 5 and the <5 1.
  EXPECT_EQ(Protected({11, 5, 0, 5, 1}), (Shown{"x", "x", "0", "x", "<5"}));

  // Two '<5' alone give themselves away when they add up to 2 (1 each) or
  // 8 (4 each); then x + <5 + <5 = 7 is the least it can be: the total goes.
  EXPECT_EQ(Protected({7, 5, 1, 1}), (Shown{"x", "x", "<5", "<5"})) << "2 over two '<5': 1 each";
  EXPECT_EQ(Protected({13, 5, 4, 4}), (Shown{"13", "x", "<5", "<5"})) << "8 over two '<5': 4 each; x is 5 to 11";
  EXPECT_EQ(Protected({12, 5, 3, 4}), (Shown{"12", "5", "<5", "<5"})) << "7: 3 and 4, or 4 and 3";
  EXPECT_EQ(Protected({7, 3, 4, 0}), (Shown{"7", "<5", "<5", "0"}));

  // A withheld total is left alone: nothing can be subtracted from it.
  EXPECT_EQ(Protected({3, 1, 2, 0}), (Shown{"<5", "<5", "<5", "0"}));
  // No withheld part: nothing to protect.
  EXPECT_EQ(Protected({10, 5, 5, 0}), (Shown{"10", "5", "5", "0"}));
}

TEST(FiguresTest, ATotalWithheldForOneSumProtectsTheSumsItIsAPartOf) {
  // received 20 = handled 10 + waiting 10; waiting 10 = overdue 5 + late 1
  // (+ 4 within their term, not published).
  std::vector<common::v1::SuppressedCount> c = Cells({20, 10, 10, 5, 1});
  ProtectSums({{&c[0], &c[1], &c[2]}, {&c[2], &c[3], &c[4]}});
  // 10 - 5 would give the late one away: overdue goes. 10 = x + <5 leaves
  // the <5 anything from 1 to 4: enough.
  EXPECT_EQ(CountText(c[3]), "x");
  EXPECT_EQ(CountText(c[2]), "10");
  EXPECT_EQ(CountText(c[0]), "20");

  std::vector<common::v1::SuppressedCount> d = Cells({20, 14, 6, 5, 1});
  ProtectSums({{&d[0], &d[1], &d[2]}, {&d[2], &d[3], &d[4]}});
  // 6 = x + <5 gives them away: waiting goes, and then 20 - 14 would give
  // waiting away, so handled goes too, and 20 = x + x is enough.
  std::vector<std::string> shown;
  for (const auto& cell : d) shown.push_back(CountText(cell));
  EXPECT_EQ(shown, (Shown{"20", "x", "x", "x", "<5"}));
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

TEST(FiguresTest, APeriodIsWidenedToWholeIsoWeeksAtMost105) {
  // Sunday 1 November to Tuesday 1 December 2026: from Monday 26 October to
  // Monday 7 December.
  absl::StatusOr<FiguresPeriod> november = CheckPeriod(Period("2026-11-01", "2026-12-01"));
  ASSERT_TRUE(november.ok()) << november.status();
  EXPECT_EQ(november->start, absl::CivilDay(2026, 10, 26));
  EXPECT_EQ(november->end, absl::CivilDay(2026, 12, 7));
  common::v1::ReportingPeriod counted = ToReportingPeriod(*november);
  EXPECT_EQ(counted.start_date(), "2026-10-26");
  EXPECT_EQ(counted.end_date(), "2026-12-07");

  // A period starting on a Wednesday counts its whole week: [Wed, Thu) and
  // [Mon, Thu) and [Mon, Wed) are the same week, so they cannot be
  // subtracted to count one day.
  for (const char* start : {"2026-12-02", "2026-11-30"}) {
    for (const char* end : {"2026-12-03", "2026-12-02", "2026-12-07"}) {
      if (std::string(end) <= start) continue;
      absl::StatusOr<FiguresPeriod> week = CheckPeriod(Period(start, end));
      ASSERT_TRUE(week.ok()) << start << ".." << end << ": " << week.status();
      EXPECT_EQ(week->start, absl::CivilDay(2026, 11, 30)) << start << ".." << end;
      EXPECT_EQ(week->end, absl::CivilDay(2026, 12, 7)) << start << ".." << end;
    }
  }
  // Mondays stay as they are.
  absl::StatusOr<FiguresPeriod> mondays = CheckPeriod(Period("2026-11-30", "2026-12-14"));
  ASSERT_TRUE(mondays.ok());
  EXPECT_EQ(mondays->start, absl::CivilDay(2026, 11, 30));
  EXPECT_EQ(mondays->end, absl::CivilDay(2026, 12, 14));
  // A Sunday's week started on the Monday before it; the day after a Sunday
  // is a Monday already.
  absl::StatusOr<FiguresPeriod> sunday = CheckPeriod(Period("2026-12-06", "2026-12-07"));
  ASSERT_TRUE(sunday.ok());
  EXPECT_EQ(sunday->start, absl::CivilDay(2026, 11, 30));
  EXPECT_EQ(sunday->end, absl::CivilDay(2026, 12, 7));

  // Wednesday 1 January 2025 to Saturday 2 January 2027: Monday 30 December
  // 2024 to Monday 4 January 2027, 105 weeks.
  absl::StatusOr<FiguresPeriod> longest = CheckPeriod(Period("2025-01-01", "2027-01-02"));
  ASSERT_TRUE(longest.ok()) << longest.status();
  EXPECT_EQ(longest->end - longest->start, 105 * 7);

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
      {"2025-01-01", "2027-01-05",
       "period.end_date: at most 105 weeks after period.start_date, counted in whole weeks from Monday"},
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
