// The rules a new signal must meet before it is stored. Pure functions: no
// database (known areas and categories are checked by the store, in the
// submitting transaction) and no gRPC.
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_VALIDATION_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_VALIDATION_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "services/common/text.h"
#include "services/common/validation.h"
#include "absl/time/time.h"
#include "hartslag/intake/v1/intake.pb.h"

namespace hartslag::intake {

// How far ahead of the server's clock observed_at may be.
inline constexpr absl::Duration kClockSkew = absl::Minutes(5);
// How far back observed_at may be.
inline constexpr absl::Duration kMaxObservationAge = absl::Hours(24 * 365);
inline constexpr size_t kMinDescriptionLength = 10;
inline constexpr size_t kMaxDescriptionLength = 4000;
inline constexpr int kMaxPersons = 10;

// Checks `request` and normalises it in place (postcode as "1234 AB", house
// number addition in upper case, request id in lower case, trimmed text,
// URGENCY_NORMAL for an unspecified urgency). On failure returns
// INVALID_ARGUMENT naming the first bad field, e.g.
// "location.address.postcode: must look like 1234 AB".
absl::Status ValidateAndNormalise(intake::v1::SubmitSignalRequest& request, absl::Time now);

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_VALIDATION_H_
