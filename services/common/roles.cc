#include "services/common/roles.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hartslag {
namespace {

constexpr std::pair<Role, absl::string_view> kRoleNames[] = {
    {Role::kReporter, "REPORTER"},
    {Role::kCoordinator, "COORDINATOR"},
    {Role::kPartner, "PARTNER"},
    {Role::kPrivacyOfficer, "PRIVACY_OFFICER"},
    {Role::kAdmin, "ADMIN"},
};

}  // namespace

std::optional<Role> ParseRole(absl::string_view name) {
  for (const auto& [role, role_name] : kRoleNames) {
    if (role_name == name) return role;
  }
  return std::nullopt;
}

absl::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "UNKNOWN";
}

std::optional<common::v1::OrganisationKind> ParseOrganisationKind(absl::string_view name) {
  common::v1::OrganisationKind kind;
  if (!common::v1::OrganisationKind_Parse(absl::StrCat("ORGANISATION_KIND_", name), &kind) ||
      kind == common::v1::ORGANISATION_KIND_UNSPECIFIED) {
    return std::nullopt;
  }
  return kind;
}

absl::string_view OrganisationKindName(common::v1::OrganisationKind kind) {
  absl::string_view full = common::v1::OrganisationKind_Name(kind);
  constexpr absl::string_view kPrefix = "ORGANISATION_KIND_";
  return absl::StartsWith(full, kPrefix) ? full.substr(kPrefix.size()) : full;
}

}  // namespace hartslag
