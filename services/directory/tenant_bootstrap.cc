#include "services/directory/tenant_bootstrap.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/directory/directory_validation.h"
#include "services/directory/password.h"

namespace hartslag::directory {

absl::Status BootstrapTenant(DirectoryStore& store, const NewTenant& tenant) {
  RETURN_IF_ERROR(CheckDirectoryId("--tenant", tenant.tenant_id));
  RETURN_IF_ERROR(CheckDisplayName("--tenant-name", tenant.tenant_name));
  RETURN_IF_ERROR(CheckDirectoryId("--organisation", tenant.organisation_id));
  RETURN_IF_ERROR(CheckDisplayName("--organisation-name", tenant.organisation_name));
  RETURN_IF_ERROR(CheckDirectoryId("--admin", tenant.admin_id));
  if (Utf8Length(tenant.admin_password).value_or(0) < kMinPasswordLength) {
    return absl::InvalidArgumentError(absl::StrCat("--admin-password-file: the password must be at least ",
                                                   kMinPasswordLength, " characters"));
  }

  RETURN_IF_ERROR(store.CreateTenant(tenant.tenant_id, tenant.tenant_name));
  AuditRecord unaudited;
  v1::Organisation organisation;
  organisation.set_organisation_id(tenant.organisation_id);
  organisation.set_name(tenant.organisation_name);
  organisation.set_kind(common::v1::ORGANISATION_KIND_MUNICIPALITY);
  if (auto created = store.CreateOrganisation(tenant.tenant_id, organisation, unaudited);
      !created.ok() && !absl::IsAlreadyExists(created.status())) {
    return created.status();
  }
  ASSIGN_OR_RETURN(auto existing, store.FindAccount(tenant.tenant_id, tenant.admin_id));
  if (existing) return absl::OkStatus();
  v1::User admin;
  admin.set_user_id(tenant.admin_id);
  admin.set_organisation_id(tenant.organisation_id);
  admin.set_display_name("Beheerder");
  admin.add_roles("ADMIN");
  ASSIGN_OR_RETURN(std::string hash, HashPassword(tenant.admin_password));
  return store.CreateUser(tenant.tenant_id, admin, hash, unaudited).status();
}

}  // namespace hartslag::directory
