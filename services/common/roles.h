// The names of roles and organisation kinds, as tokens, flags and the
// directory spell them. Clients check their input with these too, so they
// hold no server code.
#ifndef HARTSLAG_SERVICES_COMMON_ROLES_H_
#define HARTSLAG_SERVICES_COMMON_ROLES_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "hartslag/common/v1/common.pb.h"

namespace hartslag {

enum class Role { kReporter, kCoordinator, kPartner, kPrivacyOfficer, kAdmin };

std::optional<Role> ParseRole(absl::string_view name);
absl::string_view RoleName(Role role);
// Kinds without their ORGANISATION_KIND_ prefix ("POLICE"); UNSPECIFIED is no kind.
std::optional<common::v1::OrganisationKind> ParseOrganisationKind(absl::string_view name);
absl::string_view OrganisationKindName(common::v1::OrganisationKind kind);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_ROLES_H_
