#include "services/common/figures.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/validation.h"

namespace hartslag {
namespace {

// A day written YYYY-MM-DD in the years 2000 to 2999, or nullopt.
std::optional<absl::CivilDay> ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day)) return std::nullopt;
  if (day.year() < 2000 || day.year() > 2999) return std::nullopt;
  return day;
}

}  // namespace

bool IsSuppressed(int64_t count) { return count > 0 && count < kSmallestShownCount; }

common::v1::SuppressedCount PublishedCount(int64_t count) {
  common::v1::SuppressedCount published;
  if (IsSuppressed(count)) {
    published.set_suppressed(true);
  } else {
    published.set_value(count);
  }
  return published;
}

void ProtectSums(const std::vector<std::vector<common::v1::SuppressedCount*>>& sums) {
  // Whether the withheld parts of `sum` (its total shown) could be worked
  // out, or narrowed too far, from the shown ones.
  auto exposed = [](const std::vector<common::v1::SuppressedCount*>& sum) {
    int64_t withheld_sum = sum[0]->value();
    int primary = 0, secondary = 0;
    for (size_t i = 1; i < sum.size(); ++i) {
      const common::v1::SuppressedCount& part = *sum[i];
      if (!part.suppressed()) {
        withheld_sum -= part.value();
      } else if (part.secondary()) {
        ++secondary;
      } else {
        ++primary;
      }
    }
    const int withheld = primary + secondary;
    if (withheld == 0) return false;
    if (withheld == 1) return true;
    const int64_t least = int64_t{primary} + int64_t{secondary} * kSmallestShownCount;
    if (secondary > 0) return withheld_sum < least + 3;
    return withheld_sum == primary || withheld_sum == int64_t{primary} * (kSmallestShownCount - 1);
  };
  auto withhold = [](common::v1::SuppressedCount* cell) {
    *cell = common::v1::SuppressedCount();
    cell->set_suppressed(true);
    cell->set_secondary(true);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& sum : sums) {
      if (sum.empty() || sum[0]->suppressed() || !exposed(sum)) continue;
      common::v1::SuppressedCount* smallest = nullptr;
      for (size_t i = 1; i < sum.size(); ++i) {
        common::v1::SuppressedCount* part = sum[i];
        if (!part->suppressed() && part->value() > 0 && (smallest == nullptr || part->value() < smallest->value())) {
          smallest = part;
        }
      }
      withhold(smallest != nullptr ? smallest : sum[0]);
      changed = true;
    }
  }
}

std::string CountText(const common::v1::SuppressedCount& count) {
  if (count.secondary()) return "x";
  if (count.suppressed()) return absl::StrCat("<", kSmallestShownCount);
  return absl::StrCat(count.value());
}

std::string IsoWeekLabel(absl::CivilDay day) {
  // Days since Monday: absl numbers the weekdays from Monday = 0.
  const int since_monday = static_cast<int>(absl::GetWeekday(day));
  const absl::CivilDay thursday = day - since_monday + 3;
  const int week = (absl::GetYearDay(thursday) - 1) / 7 + 1;
  return absl::StrFormat("%04d-W%02d", thursday.year(), week);
}

std::string IsoWeekLabel(absl::Time moment, absl::TimeZone zone) {
  return IsoWeekLabel(absl::ToCivilDay(moment, zone));
}

absl::StatusOr<FiguresPeriod> CheckPeriod(const common::v1::ReportingPeriod& period, const std::string& field) {
  FieldErrors errors;
  const std::string start_field = absl::StrCat(field, ".start_date");
  const std::string end_field = absl::StrCat(field, ".end_date");
  std::optional<absl::CivilDay> start = ParseDay(period.start_date());
  std::optional<absl::CivilDay> end = ParseDay(period.end_date());
  if (!start) errors.Add(Invalid(start_field, "must be a day as YYYY-MM-DD between 2000 and 2999"));
  if (!end) errors.Add(Invalid(end_field, "must be a day as YYYY-MM-DD between 2000 and 2999"));
  FiguresPeriod widened;
  if (start && end) {
    // absl numbers the weekdays from Monday = 0.
    widened.start = *start - static_cast<int>(absl::GetWeekday(*start));
    widened.end = *end + (7 - static_cast<int>(absl::GetWeekday(*end))) % 7;
    if (*end <= *start) {
      errors.Add(Invalid(end_field, absl::StrCat("must be after ", start_field)));
    } else if (widened.end - widened.start > int64_t{kMaxFiguresWeeks} * 7) {
      errors.Add(Invalid(end_field, absl::StrCat("at most ", kMaxFiguresWeeks, " weeks after ", start_field,
                                                 ", counted in whole weeks from Monday")));
    }
  }
  if (absl::Status status = errors.status(); !status.ok()) return status;
  return widened;
}

common::v1::ReportingPeriod ToReportingPeriod(const FiguresPeriod& period) {
  common::v1::ReportingPeriod out;
  out.set_start_date(absl::FormatCivilTime(period.start));
  out.set_end_date(absl::FormatCivilTime(period.end));
  return out;
}

absl::StatusOr<std::optional<std::vector<std::string>>> FiguresAreas(const RequestContext& caller,
                                                                     const std::string& area_id,
                                                                     const AreasBelow& below) {
  std::optional<std::set<std::string>> asked;
  if (!area_id.empty()) {
    if (absl::Status id = CheckId("area_id", area_id); !id.ok()) return id;
    absl::StatusOr<std::set<std::string>> found = below({area_id});
    if (!found.ok()) return found.status();
    if (found->empty()) return Invalid("area_id", "not a known area");
    asked = *std::move(found);
  }
  if (caller.Has(Role::kAdmin)) {
    if (!asked) return std::nullopt;
    return std::vector<std::string>(asked->begin(), asked->end());
  }
  if (!caller.Has(Role::kCoordinator)) return std::vector<std::string>();
  absl::StatusOr<std::set<std::string>> scope = below(caller.areas);
  if (!scope.ok()) return scope.status();
  if (asked && !scope->contains(area_id)) return absl::PermissionDeniedError("area_id: outside your areas");
  const std::set<std::string>& counted = asked ? *asked : *scope;
  return std::vector<std::string>(counted.begin(), counted.end());
}

}  // namespace hartslag
