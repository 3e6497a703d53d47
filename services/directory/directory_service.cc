#include "services/directory/directory_service.h"

namespace hartslag::directory {

const AccessPolicy kDirectoryPolicy({
    {"Login", Open().Audit(audit::v1::ACTION_LOGIN, "session")},
    {"RefreshToken", Open().Audit(audit::v1::ACTION_LOGIN, "session")},
    {"IssueClientToken", Open().Audit(audit::v1::ACTION_LOGIN, "session")},
    {"Logout", Open().Audit(audit::v1::ACTION_DELETE, "session")},
    {"CreateArea", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "area")},
    {"UpdateArea", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "area")},
    {"ListAreas", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "area")},
    {"UpdateOrganisation", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "organisation")},
    {"CreateOrganisation", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "organisation")},
    // Every screen names organisations (an action's, a case's participants):
    // their names and kinds are no personal data.
    {"ListOrganisations",
     Roles({Role::kReporter, Role::kCoordinator, Role::kPartner, Role::kPrivacyOfficer, Role::kAdmin})
         .Audit(audit::v1::ACTION_LIST, "organisation")},
    {"CreateUser", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "user")},
    {"UpdateUser", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "user")},
    {"ListUsers", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "user")},
    {"GetTenant", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_READ, "tenant")},
    {"UpdateTenantSettings", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "tenant")},
    {"CreateIntegratedClient",
     Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "integrated_client")},
    {"UpdateIntegratedClient",
     Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "integrated_client")},
    {"ListIntegratedClients", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "integrated_client")},
    {"ListTenants", Services({"intake", "cases"})},
    {"ListTenantAreas", Services({"intake", "cases"})},
    // Cases names organisations and users in its meeting documents.
    {"ListTenantOrganisations", Services({"audit", "cases"})},
    {"ListTenantUsers", Services({"cases"})},
});

grpc::ServerUnaryReactor* LookupServiceImpl::ListTenants(grpc::CallbackServerContext* call,
                                                         const v1::ListTenantsRequest* request,
                                                         v1::ListTenantsResponse* response) {
  return runner_->Run(call, "ListTenants", *request, Into(response, [this, request](const RequestContext&, AuditRecord&) {
                        return directory_->ListTenants(*request);
                      }));
}

grpc::ServerUnaryReactor* LookupServiceImpl::ListTenantAreas(grpc::CallbackServerContext* call,
                                                             const v1::ListTenantAreasRequest* request,
                                                             v1::ListAreasResponse* response) {
  return runner_->Run(call, "ListTenantAreas", *request,
                      Into(response, [this, request](const RequestContext&, AuditRecord&) {
                        return directory_->ListTenantAreas(*request);
                      }));
}

grpc::ServerUnaryReactor* LookupServiceImpl::ListTenantOrganisations(
    grpc::CallbackServerContext* call, const v1::ListTenantOrganisationsRequest* request,
    v1::ListOrganisationsResponse* response) {
  return runner_->Run(call, "ListTenantOrganisations", *request,
                      Into(response, [this, request](const RequestContext&, AuditRecord&) {
                        return directory_->ListTenantOrganisations(*request);
                      }));
}

grpc::ServerUnaryReactor* LookupServiceImpl::ListTenantUsers(grpc::CallbackServerContext* call,
                                                             const v1::ListTenantUsersRequest* request,
                                                             v1::ListTenantUsersResponse* response) {
  return runner_->Run(call, "ListTenantUsers", *request,
                      Into(response, [this, request](const RequestContext&, AuditRecord&) {
                        return directory_->ListTenantUsers(*request);
                      }));
}

grpc::ServerUnaryReactor* AuthServiceImpl::Login(grpc::CallbackServerContext* call,
                                                 const v1::LoginRequest* request,
                                                 v1::TokenResponse* response) {
  return runner_->Run(call, "Login", *request, Into(response, [this, request](const RequestContext&, AuditRecord& audit) {
                        return issuer_->Login(*request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuthServiceImpl::RefreshToken(grpc::CallbackServerContext* call,
                                                        const v1::RefreshTokenRequest* request,
                                                        v1::TokenResponse* response) {
  return runner_->Run(call, "RefreshToken", *request, Into(response, [this, request](const RequestContext&, AuditRecord& audit) {
                        return issuer_->Refresh(*request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuthServiceImpl::Logout(grpc::CallbackServerContext* call,
                                                  const v1::LogoutRequest* request, v1::LogoutResponse* response) {
  return runner_->Run(call, "Logout", *request, Into(response, [this, request](const RequestContext&, AuditRecord& audit) {
                        return issuer_->Logout(*request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuthServiceImpl::IssueClientToken(
    grpc::CallbackServerContext* call, const v1::IssueClientTokenRequest* request,
    v1::TokenResponse* response) {
  return runner_->Run(call, "IssueClientToken", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return issuer_->ForClient(caller.peer_identity, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateArea(grpc::CallbackServerContext* call,
                                                         const v1::CreateAreaRequest* request, v1::Area* response) {
  return runner_->Run(call, "CreateArea", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->CreateArea(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateArea(grpc::CallbackServerContext* call,
                                                         const v1::UpdateAreaRequest* request, v1::Area* response) {
  return runner_->Run(call, "UpdateArea", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->UpdateArea(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::ListAreas(grpc::CallbackServerContext* call,
                                                         const v1::ListAreasRequest* request, v1::ListAreasResponse* response) {
  return runner_->Run(call, "ListAreas", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->ListAreas(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateOrganisation(grpc::CallbackServerContext* call,
                                                         const v1::CreateOrganisationRequest* request, v1::Organisation* response) {
  return runner_->Run(call, "CreateOrganisation", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->CreateOrganisation(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateOrganisation(grpc::CallbackServerContext* call,
                                                         const v1::UpdateOrganisationRequest* request, v1::Organisation* response) {
  return runner_->Run(call, "UpdateOrganisation", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->UpdateOrganisation(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::ListOrganisations(grpc::CallbackServerContext* call,
                                                         const v1::ListOrganisationsRequest* request, v1::ListOrganisationsResponse* response) {
  return runner_->Run(call, "ListOrganisations", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->ListOrganisations(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateUser(grpc::CallbackServerContext* call,
                                                         const v1::CreateUserRequest* request, v1::User* response) {
  return runner_->Run(call, "CreateUser", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->CreateUser(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateUser(grpc::CallbackServerContext* call,
                                                         const v1::UpdateUserRequest* request, v1::User* response) {
  return runner_->Run(call, "UpdateUser", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->UpdateUser(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::ListUsers(grpc::CallbackServerContext* call,
                                                         const v1::ListUsersRequest* request, v1::ListUsersResponse* response) {
  return runner_->Run(call, "ListUsers", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->ListUsers(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::GetTenant(grpc::CallbackServerContext* call,
                                                         const v1::GetTenantRequest* request, v1::Tenant* response) {
  return runner_->Run(call, "GetTenant", *request, Into(response, [this](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->GetTenant(caller, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateTenantSettings(grpc::CallbackServerContext* call,
                                                                    const v1::UpdateTenantSettingsRequest* request,
                                                                    v1::Tenant* response) {
  return runner_->Run(call, "UpdateTenantSettings", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->UpdateTenantSettings(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateIntegratedClient(grpc::CallbackServerContext* call,
                                                         const v1::CreateIntegratedClientRequest* request, v1::IntegratedClient* response) {
  return runner_->Run(call, "CreateIntegratedClient", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->CreateIntegratedClient(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateIntegratedClient(grpc::CallbackServerContext* call,
                                                         const v1::UpdateIntegratedClientRequest* request, v1::IntegratedClient* response) {
  return runner_->Run(call, "UpdateIntegratedClient", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->UpdateIntegratedClient(caller, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::ListIntegratedClients(
    grpc::CallbackServerContext* call, const v1::ListIntegratedClientsRequest* request,
    v1::ListIntegratedClientsResponse* response) {
  return runner_->Run(call, "ListIntegratedClients", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return directory_->ListIntegratedClients(caller, *request, audit);
                      }));
}

}  // namespace hartslag::directory
