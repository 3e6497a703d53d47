#include "services/common/reference.h"

#include <regex>

#include "absl/strings/str_format.h"

namespace hartslag {

std::string FormatReference(absl::string_view prefix, int year, int64_t number) {
  return absl::StrFormat("%s-%04d-%06d", prefix, year, number);
}

int ReferenceYear(absl::Time reported_at, const std::string& time_zone) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(time_zone, &zone)) zone = absl::UTCTimeZone();
  return static_cast<int>(absl::ToCivilYear(reported_at, zone).year());
}

bool LooksLikeReference(absl::string_view text) {
  static const std::regex kReference("^[A-Z]{1,8}-[0-9]{4}-[0-9]{6,}$");
  return std::regex_match(text.begin(), text.end(), kReference);
}

}  // namespace hartslag
