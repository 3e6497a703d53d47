// DirectoryAdmin: the directory's domain. What a tenant's ADMIN creates,
// changes and lists (DirectoryService), and what the other Hartslag services
// look up about any tenant (LookupService). No gRPC and no SQL here: requests
// are checked by directory_validation.h, data goes through DirectoryStore.
//
// Every create is exactly-once by the request's request_id (ExactlyOnce):
// the create, the answer kept for retries and the call's audit record
// commit in one transaction. Thread-safe.
//
//   DirectoryAdmin admin(pool, &store);
//   ASSIGN_OR_RETURN(v1::Area area, admin.CreateArea(caller, request, audit));
#ifndef HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_ADMIN_H_
#define HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_ADMIN_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hartslag/directory/v1/directory.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/exactly_once.h"
#include "services/directory/directory_store.h"

namespace hartslag::directory {

class DirectoryAdmin {
 public:
  // `pool` is the directory's database, which `store` works on too.
  // `access_ttl`: the lifetime of the access tokens the directory issues; a
  // session ended by UpdateUser lasts at most that long in its access token.
  DirectoryAdmin(db::Pool* pool, DirectoryStore* store, absl::Duration access_ttl = absl::Minutes(15))
      : pool_(pool), store_(store), once_(kSchema), access_ttl_(access_ttl) {}

  // The caller's tenant's directory. Each fills `audit` with the object.
  absl::StatusOr<v1::Area> CreateArea(const RequestContext& caller, v1::CreateAreaRequest request,
                                      AuditRecord& audit) const;
  absl::StatusOr<v1::Area> UpdateArea(const RequestContext& caller, const v1::UpdateAreaRequest& request,
                                      AuditRecord& audit) const;
  absl::StatusOr<v1::ListAreasResponse> ListAreas(const RequestContext& caller, const v1::ListAreasRequest& request,
                                                  AuditRecord& audit) const;
  absl::StatusOr<v1::Organisation> CreateOrganisation(const RequestContext& caller,
                                                      v1::CreateOrganisationRequest request,
                                                      AuditRecord& audit) const;
  absl::StatusOr<v1::Organisation> UpdateOrganisation(const RequestContext& caller,
                                                      const v1::UpdateOrganisationRequest& request,
                                                      AuditRecord& audit) const;
  absl::StatusOr<v1::ListOrganisationsResponse> ListOrganisations(const RequestContext& caller,
                                                                  const v1::ListOrganisationsRequest& request,
                                                                  AuditRecord& audit) const;
  // The answer kept for retries is the user without the password, which
  // is kept only as its scrypt hash.
  absl::StatusOr<v1::User> CreateUser(const RequestContext& caller, v1::CreateUserRequest request,
                                      AuditRecord& audit) const;
  // A new password is hashed like CreateUser's; the store ends the user's
  // sessions with it.
  absl::StatusOr<v1::User> UpdateUser(const RequestContext& caller, const v1::UpdateUserRequest& request,
                                      AuditRecord& audit) const;
  absl::StatusOr<v1::ListUsersResponse> ListUsers(const RequestContext& caller, const v1::ListUsersRequest& request,
                                                  AuditRecord& audit) const;
  // The caller's tenant with its settings.
  absl::StatusOr<v1::Tenant> GetTenant(const RequestContext& caller, AuditRecord& audit) const;
  // Changes the settings the mask names; the result must pass
  // CheckTenantSettings as a whole, or nothing changes.
  absl::StatusOr<v1::Tenant> UpdateTenantSettings(const RequestContext& caller,
                                                  const v1::UpdateTenantSettingsRequest& request,
                                                  AuditRecord& audit) const;
  absl::StatusOr<v1::IntegratedClient> CreateIntegratedClient(const RequestContext& caller,
                                                              v1::CreateIntegratedClientRequest request,
                                                              AuditRecord& audit) const;
  absl::StatusOr<v1::IntegratedClient> UpdateIntegratedClient(const RequestContext& caller,
                                                              const v1::UpdateIntegratedClientRequest& request,
                                                              AuditRecord& audit) const;
  absl::StatusOr<v1::ListIntegratedClientsResponse> ListIntegratedClients(
      const RequestContext& caller, const v1::ListIntegratedClientsRequest& request, AuditRecord& audit) const;

  // For services: any tenant, named in the request.
  absl::StatusOr<v1::ListTenantsResponse> ListTenants(const v1::ListTenantsRequest& request) const;
  absl::StatusOr<v1::ListAreasResponse> ListTenantAreas(const v1::ListTenantAreasRequest& request) const;
  absl::StatusOr<v1::ListOrganisationsResponse> ListTenantOrganisations(
      const v1::ListTenantOrganisationsRequest& request) const;
  absl::StatusOr<v1::ListTenantUsersResponse> ListTenantUsers(const v1::ListTenantUsersRequest& request) const;

 private:
  // Runs `create` exactly once per caller and request id (the request as
  // `fingerprinted`), in one transaction with the call's audit record.
  template <typename Response>
  absl::StatusOr<Response> CreateOnce(const RequestContext& caller, absl::string_view rpc,
                                      const google::protobuf::Message& fingerprinted, AuditRecord& audit,
                                      const std::function<absl::StatusOr<Response>(db::Transaction&)>& create) const;

  db::Pool* pool_;
  DirectoryStore* store_;
  const ExactlyOnce once_;
  const absl::Duration access_ttl_;
};

}  // namespace hartslag::directory

#endif  // HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_ADMIN_H_
