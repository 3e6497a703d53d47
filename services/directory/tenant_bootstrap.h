// Tenant bootstrap: a new municipality with the admin's organisation and its
// first admin, made by an operator (`hartslag-directory bootstrap`) before
// anyone can log in to make the rest. It keeps what exists, so it can run on
// every start-up of a development cluster.
#ifndef HARTSLAG_SERVICES_DIRECTORY_TENANT_BOOTSTRAP_H_
#define HARTSLAG_SERVICES_DIRECTORY_TENANT_BOOTSTRAP_H_

#include <string>

#include "absl/status/status.h"
#include "services/directory/directory_store.h"

namespace hartslag::directory {

struct NewTenant {
  std::string tenant_id;    // e.g. "heerlen"
  std::string tenant_name;  // e.g. "Gemeente Heerlen"
  // The admin's organisation, a MUNICIPALITY.
  std::string organisation_id;
  std::string organisation_name;
  std::string admin_id;
  std::string admin_password;  // at least kMinPasswordLength characters
};

// Checks `tenant` (INVALID_ARGUMENT naming the bootstrap command's flag, such
// as "--tenant", since an operator typed it) and creates what does
// not exist yet; a tenant that exists gets `tenant_name`, an admin that
// exists keeps its password.
//
// Not audited: it runs before any audit log exists for the tenant, and it is
// in the operator's shell history and the service log instead.
absl::Status BootstrapTenant(DirectoryStore& store, const NewTenant& tenant);

}  // namespace hartslag::directory

#endif  // HARTSLAG_SERVICES_DIRECTORY_TENANT_BOOTSTRAP_H_
