// A municipality's settings (directory.v1.TenantSettings): the defaults for
// what it left unset, the checks of what it sets, and the views the
// services need (its closing days as dates, its time zone).
#ifndef HARTSLAG_SERVICES_COMMON_TENANT_SETTINGS_H_
#define HARTSLAG_SERVICES_COMMON_TENANT_SETTINGS_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "hartslag/directory/v1/directory.pb.h"

namespace hartslag {

// The largest attachment any municipality may allow.
inline constexpr int64_t kMaxAttachmentBytes = 50 << 20;

using directory::v1::TenantSettings;

// `settings` with every field that is zero or empty set to its default.
TenantSettings WithDefaults(TenantSettings settings);

// Each field of `settings` (defaults filled in) checked; one
// INVALID_ARGUMENT naming every bad field as "settings.<field>".
absl::Status CheckTenantSettings(const TenantSettings& settings);

// The closing days as dates; a malformed one is left out (CheckTenantSettings
// refuses it before it is stored).
std::set<absl::CivilDay> ClosingDays(const TenantSettings& settings);

// The tenant's time zone; FAILED_PRECONDITION when it cannot be loaded.
absl::StatusOr<absl::TimeZone> TimeZoneOf(const std::string& name);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_TENANT_SETTINGS_H_
