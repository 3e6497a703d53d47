// What the figures of every service share: the suppression rule, the ISO
// week a moment falls in, and the reporting period a request asks for.
//
// Figures hold no person, address or free text, and a count of 1 to 4 is
// withheld so that no household can be singled out from a small cell:
//
//   *row.mutable_received() = PublishedCount(received);   // 3 -> {0, suppressed}
//   CountText(row.received());                             // "<5"
//   IsoWeekLabel(absl::CivilDay(2027, 1, 1));             // "2026-W53"
//
// Pure functions; thread-safe.
#ifndef HARTSLAG_SERVICES_COMMON_FIGURES_H_
#define HARTSLAG_SERVICES_COMMON_FIGURES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/common/v1/figures.pb.h"
#include "services/common/request_context.h"

namespace hartslag {

// The smallest count that is shown; 1 up to this is withheld. Zero is shown.
inline constexpr int64_t kSmallestShownCount = 5;

// True for a count that must not be published: 1 to 4.
bool IsSuppressed(int64_t count);

// `count` as it may leave a service: itself, or 0 marked suppressed.
common::v1::SuppressedCount PublishedCount(int64_t count);

// Secondary suppression. A total and the parts that add up to it (a row's
// signals received, and how they were handled) would give a withheld cell
// away by subtraction. `sums` lists each sum as {total, part, part, ...}.
// For each sum whose total is shown and of which a part is withheld, more
// is withheld (the smallest shown non-zero part first, marked secondary;
// the total itself when no such part is left) while
// - exactly one part is withheld, or
// - a secondary part ("x", always 5 or more) is among the withheld and the
//   withheld parts add up (total minus the shown parts) to less than 3 above
//   their least possible sum, 5 per "x" and 1 per "<5": for one of each,
//   less than 2 * 5 - 1 = 9, so that 6 = x + <5 does not give x = 5, <5 = 1
//   away; or
// - the withheld parts are all "<5" and add up to 1 each or to 4 each.
// A cell may sit in more than one sum; the rule runs over every sum until
// none changes. A sum that holds only part of its total (a part is not
// published) may be given as if exact: that only withholds more.
void ProtectSums(const std::vector<std::vector<common::v1::SuppressedCount*>>& sums);

// "<5" for a withheld count, "x" for one withheld for its sum's sake,
// otherwise its value.
std::string CountText(const common::v1::SuppressedCount& count);

// The ISO 8601 week (weeks start on Monday; a week belongs to the year of
// its Thursday) of a day, as "2026-W09": 1 January 2027 is in "2026-W53".
std::string IsoWeekLabel(absl::CivilDay day);
// The same for the day `moment` falls on in `zone`.
std::string IsoWeekLabel(absl::Time moment, absl::TimeZone zone);

// A checked reporting period: the days [start, end), whole ISO weeks.
struct FiguresPeriod {
  absl::CivilDay start;  // a Monday
  absl::CivilDay end;    // a Monday
};

// The most weeks one request may cover, after widening: two years and a bit.
inline constexpr int kMaxFiguresWeeks = 105;

// Checks `period` as field `field` of a request ("period"): both dates given
// as YYYY-MM-DD between the years 2000 and 2999, end after start. The period
// is then widened to whole ISO weeks (start to the Monday on or before it,
// end to the Monday on or after it), so that a week is always counted whole
// and two periods that differ by a few days cannot be subtracted to count
// those days; the widened period may span at most kMaxFiguresWeeks weeks.
// It is what is counted and what a response gives back (ToReportingPeriod). One
// INVALID_ARGUMENT naming every bad field.
absl::StatusOr<FiguresPeriod> CheckPeriod(const common::v1::ReportingPeriod& period,
                                          const std::string& field = "period");

// The period as dates, "YYYY-MM-DD".
common::v1::ReportingPeriod ToReportingPeriod(const FiguresPeriod& period);

// The areas a caller's figures count, in one rule for every service: an
// ADMIN counts the whole municipality (nullopt: every area), a COORDINATOR
// its areas and their wijken, anyone else nothing. `area_id`, when given,
// narrows that to the area and its wijken: INVALID_ARGUMENT naming area_id
// when it is malformed or unknown, PERMISSION_DENIED when a coordinator
// does not work there. `below(roots)` gives the roots and every area below
// them (AreaCopy::Within), leaving out unknown roots.
using AreasBelow = std::function<absl::StatusOr<std::set<std::string>>(const std::vector<std::string>& roots)>;
absl::StatusOr<std::optional<std::vector<std::string>>> FiguresAreas(const RequestContext& caller,
                                                                     const std::string& area_id,
                                                                     const AreasBelow& below);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_FIGURES_H_
