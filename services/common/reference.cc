#include "services/common/reference.h"

#include "absl/strings/str_format.h"
#include "re2/re2.h"

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
  // RE2 matches in linear time without recursion, whatever the caller sends.
  static const re2::RE2 kReference("[A-Z]{1,8}-[0-9]{4}-[0-9]{6,18}");
  return re2::RE2::FullMatch(re2::StringPiece(text.data(), text.size()), kReference);
}

}  // namespace hartslag
