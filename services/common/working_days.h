// Working days as a Dutch municipality counts them for handling deadlines:
// Monday to Friday, except the public holidays (computed, for any year) and
// the closing days a tenant adds (a bridge day, a municipal day off).
//
//   WorkingDays days({absl::CivilDay(2026, 5, 15)});
//   days.After(absl::CivilDay(2026, 4, 24), 2);  // Wed 29 April: skips King's Day
#ifndef HARTSLAG_SERVICES_COMMON_WORKING_DAYS_H_
#define HARTSLAG_SERVICES_COMMON_WORKING_DAYS_H_

#include <set>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace hartslag {

// Easter Sunday of `year` (Gregorian calendar).
absl::CivilDay EasterSunday(int year);

// New Year's Day, Good Friday, Easter Monday, King's Day (27 April, or 26
// April when the 27th is a Sunday), Liberation Day (5 May) in lustrum
// years, Ascension Day, Whit Monday, Christmas Day and Boxing Day.
bool IsDutchPublicHoliday(absl::CivilDay day);

class WorkingDays {
 public:
  explicit WorkingDays(std::set<absl::CivilDay> closing_days = {}) : closing_days_(std::move(closing_days)) {}

  bool IsWorkingDay(absl::CivilDay day) const;

  // The working day `n` working days after `from` (`from` itself does not
  // count; n <= 0 is `from`).
  absl::CivilDay After(absl::CivilDay from, int n) const;

 private:
  std::set<absl::CivilDay> closing_days_;
};

// How a handling deadline counts its days.
enum class DayCount { kCalendar, kWorking };

// `n` days of `count` after `start`, at the same time of day in `zone`.
absl::Time DeadlineAfter(absl::Time start, int n, DayCount count, const WorkingDays& days, absl::TimeZone zone);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_WORKING_DAYS_H_
