#include "services/common/working_days.h"

namespace hartslag {

absl::CivilDay EasterSunday(int year) {
  // The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

bool IsDutchPublicHoliday(absl::CivilDay day) {
  const int year = static_cast<int>(day.year());
  const absl::CivilDay easter = EasterSunday(year);
  absl::CivilDay kings_day(year, 4, 27);
  if (absl::GetWeekday(kings_day) == absl::Weekday::sunday) kings_day = absl::CivilDay(year, 4, 26);
  for (absl::CivilDay holiday : {absl::CivilDay(year, 1, 1), easter - 2, easter + 1, kings_day, easter + 39,
                                 easter + 50, absl::CivilDay(year, 12, 25), absl::CivilDay(year, 12, 26)}) {
    if (day == holiday) return true;
  }
  return year % 5 == 0 && day == absl::CivilDay(year, 5, 5);
}

bool WorkingDays::IsWorkingDay(absl::CivilDay day) const {
  absl::Weekday weekday = absl::GetWeekday(day);
  if (weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday) return false;
  return !IsDutchPublicHoliday(day) && !closing_days_.contains(day);
}

absl::CivilDay WorkingDays::After(absl::CivilDay from, int n) const {
  absl::CivilDay day = from;
  for (int counted = 0; counted < n;) {
    ++day;
    if (IsWorkingDay(day)) ++counted;
  }
  return day;
}

absl::Time DeadlineAfter(absl::Time start, int n, DayCount count, const WorkingDays& days, absl::TimeZone zone) {
  const absl::CivilSecond local = absl::ToCivilSecond(start, zone);
  const absl::CivilDay from(local);
  const absl::CivilDay due = count == DayCount::kWorking ? days.After(from, n) : from + n;
  return absl::FromCivil(absl::CivilSecond(due.year(), due.month(), due.day(), local.hour(), local.minute(),
                                           local.second()),
                         zone);
}

}  // namespace hartslag
