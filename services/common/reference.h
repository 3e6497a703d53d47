// Human-readable references: "<prefix>-<year>-<number>", e.g. SV-2026-000123
// for a signal or CS-2026-000042 for a case, numbered per tenant and year
// without gaps. The year is the tenant's local calendar year at the moment of
// registration, so a signal reported at 00:30 on New Year's Day in Heerlen
// counts in the new year.
#ifndef HARTSLAG_SERVICES_COMMON_REFERENCE_H_
#define HARTSLAG_SERVICES_COMMON_REFERENCE_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/time/time.h"

namespace hartslag {

// Numbers below a million are zero-padded to six digits; larger ones grow.
std::string FormatReference(absl::string_view prefix, int year, int64_t number);

// The calendar year of `reported_at` in the IANA time zone `time_zone`
// (UTC if the zone is unknown to this machine).
int ReferenceYear(absl::Time reported_at, const std::string& time_zone);

// True for text shaped like a reference ("SV-2026-000123").
bool LooksLikeReference(absl::string_view text);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_REFERENCE_H_
