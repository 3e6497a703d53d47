// The gRPC surface of hartslag-directory: AuthService (tokens),
// DirectoryService (administration of one tenant) and LookupService (for
// the other services), each call through the shared RpcRunner and
// kDirectoryPolicy into the domain (TokenIssuer, DirectoryAdmin).
#ifndef HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_SERVICE_H_
#define HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_SERVICE_H_

#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "services/common/server.h"
#include "services/directory/directory_admin.h"
#include "services/directory/token_issuer.h"

namespace hartslag::directory {

extern const AccessPolicy kDirectoryPolicy;

class AuthServiceImpl final : public v1::AuthService::CallbackService {
 public:
  AuthServiceImpl(const RpcRunner* runner, TokenIssuer* issuer) : runner_(runner), issuer_(issuer) {}

  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* call, const v1::LoginRequest* request,
                                  v1::TokenResponse* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* call, const v1::LogoutRequest* request,
                                   v1::LogoutResponse* response) override;
  grpc::ServerUnaryReactor* RefreshToken(grpc::CallbackServerContext* call,
                                         const v1::RefreshTokenRequest* request,
                                         v1::TokenResponse* response) override;
  grpc::ServerUnaryReactor* IssueClientToken(grpc::CallbackServerContext* call,
                                             const v1::IssueClientTokenRequest* request,
                                             v1::TokenResponse* response) override;

 private:
  const RpcRunner* runner_;
  TokenIssuer* issuer_;
};

class LookupServiceImpl final : public v1::LookupService::CallbackService {
 public:
  LookupServiceImpl(const RpcRunner* runner, const DirectoryAdmin* directory)
      : runner_(runner), directory_(directory) {}

  grpc::ServerUnaryReactor* ListTenants(grpc::CallbackServerContext* call,
                                        const v1::ListTenantsRequest* request,
                                        v1::ListTenantsResponse* response) override;
  grpc::ServerUnaryReactor* ListTenantAreas(grpc::CallbackServerContext* call,
                                            const v1::ListTenantAreasRequest* request,
                                            v1::ListAreasResponse* response) override;
  grpc::ServerUnaryReactor* ListTenantOrganisations(grpc::CallbackServerContext* call,
                                                    const v1::ListTenantOrganisationsRequest* request,
                                                    v1::ListOrganisationsResponse* response) override;
  grpc::ServerUnaryReactor* ListTenantUsers(grpc::CallbackServerContext* call,
                                            const v1::ListTenantUsersRequest* request,
                                            v1::ListTenantUsersResponse* response) override;

 private:
  const RpcRunner* runner_;
  const DirectoryAdmin* directory_;
};

class DirectoryServiceImpl final : public v1::DirectoryService::CallbackService {
 public:
  DirectoryServiceImpl(const RpcRunner* runner, const DirectoryAdmin* directory)
      : runner_(runner), directory_(directory) {}

  grpc::ServerUnaryReactor* CreateArea(grpc::CallbackServerContext* call,
                                       const v1::CreateAreaRequest* request,
                                       v1::Area* response) override;
  grpc::ServerUnaryReactor* UpdateArea(grpc::CallbackServerContext* call,
                                       const v1::UpdateAreaRequest* request,
                                       v1::Area* response) override;
  grpc::ServerUnaryReactor* UpdateOrganisation(grpc::CallbackServerContext* call,
                                               const v1::UpdateOrganisationRequest* request,
                                               v1::Organisation* response) override;
  grpc::ServerUnaryReactor* ListAreas(grpc::CallbackServerContext* call,
                                      const v1::ListAreasRequest* request,
                                      v1::ListAreasResponse* response) override;
  grpc::ServerUnaryReactor* CreateOrganisation(grpc::CallbackServerContext* call,
                                               const v1::CreateOrganisationRequest* request,
                                               v1::Organisation* response) override;
  grpc::ServerUnaryReactor* ListOrganisations(grpc::CallbackServerContext* call,
                                              const v1::ListOrganisationsRequest* request,
                                              v1::ListOrganisationsResponse* response) override;
  grpc::ServerUnaryReactor* CreateUser(grpc::CallbackServerContext* call,
                                       const v1::CreateUserRequest* request,
                                       v1::User* response) override;
  grpc::ServerUnaryReactor* UpdateUser(grpc::CallbackServerContext* call,
                                       const v1::UpdateUserRequest* request,
                                       v1::User* response) override;
  grpc::ServerUnaryReactor* ListUsers(grpc::CallbackServerContext* call,
                                      const v1::ListUsersRequest* request,
                                      v1::ListUsersResponse* response) override;
  grpc::ServerUnaryReactor* GetTenant(grpc::CallbackServerContext* call, const v1::GetTenantRequest* request,
                                      v1::Tenant* response) override;
  grpc::ServerUnaryReactor* UpdateTenantSettings(grpc::CallbackServerContext* call,
                                                 const v1::UpdateTenantSettingsRequest* request,
                                                 v1::Tenant* response) override;
  grpc::ServerUnaryReactor* CreateIntegratedClient(grpc::CallbackServerContext* call,
                                                   const v1::CreateIntegratedClientRequest* request,
                                                   v1::IntegratedClient* response) override;
  grpc::ServerUnaryReactor* UpdateIntegratedClient(grpc::CallbackServerContext* call,
                                                   const v1::UpdateIntegratedClientRequest* request,
                                                   v1::IntegratedClient* response) override;
  grpc::ServerUnaryReactor* ListIntegratedClients(grpc::CallbackServerContext* call,
                                                  const v1::ListIntegratedClientsRequest* request,
                                                  v1::ListIntegratedClientsResponse* response) override;

 private:
  const RpcRunner* runner_;
  const DirectoryAdmin* directory_;
};

}  // namespace hartslag::directory

#endif  // HARTSLAG_SERVICES_DIRECTORY_DIRECTORY_SERVICE_H_
