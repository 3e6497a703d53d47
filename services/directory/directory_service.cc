#include "services/directory/directory_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/page_token.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/common/update_mask.h"
#include "services/directory/password.h"

namespace hartslag::directory {
namespace {

absl::Status CheckId(absl::string_view field, const std::string& value) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
  if (!IsId(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be lower-case letters, digits, dashes, dots or underscores"));
  }
  return absl::OkStatus();
}

absl::Status CheckName(absl::string_view field, const std::string& value) {
  auto length = Utf8Length(value);
  if (!length) return absl::InvalidArgumentError(absl::StrCat(field, ": is not valid UTF-8"));
  if (*length == 0) return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
  if (*length > 200 || HasControlCharacters(value, false)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 1 to 200 plain characters"));
  }
  return absl::OkStatus();
}

template <typename Container>
absl::Status CheckRoles(absl::string_view field, const Container& roles) {
  for (const std::string& role : roles) {
    if (!ParseRole(role)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": unknown role ", role));
    }
  }
  return absl::OkStatus();
}

template <typename Container>
absl::Status CheckAreas(absl::string_view field, const Container& areas) {
  for (const std::string& area : areas) RETURN_IF_ERROR(CheckId(field, area));
  return absl::OkStatus();
}

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 500;

// Tenants, organisations and users are listed by id: where the previous page
// ended; nullopt on the first page.
std::optional<std::string> AfterId(const Paging& paging) {
  if (paging.after.empty()) return std::nullopt;
  return paging.after[0];
}

// A page of the tenant's areas, for ListAreas and ListTenantAreas.
template <typename Request>
absl::StatusOr<v1::ListAreasResponse> AreaPage(DirectoryStore& store, const std::string& tenant,
                                               const Request& request) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 2));
  std::optional<std::pair<int, std::string>> after;
  if (!paging.after.empty()) {
    int depth = 0;
    if (!absl::SimpleAtoi(paging.after[0], &depth) || depth < 0) {
      return absl::InvalidArgumentError("page_token: not a token from a previous page");
    }
    after.emplace(depth, paging.after[1]);
  }
  ASSIGN_OR_RETURN(std::vector<TreeArea> areas, store.ListAreas(tenant, after, paging.size + 1));
  v1::ListAreasResponse out;
  out.set_next_page_token(CutPage(
      areas, paging, [](const TreeArea& a) { return a.area.ByteSizeLong(); },
      [](const TreeArea& last) { return std::vector<std::string>{absl::StrCat(last.depth), last.area.area_id()}; }));
  for (TreeArea& a : areas) *out.add_areas() = std::move(a.area);
  return out;
}

// A page of the tenant's organisations, for ListOrganisations and
// ListTenantOrganisations.
template <typename Request>
absl::StatusOr<v1::ListOrganisationsResponse> OrganisationPage(DirectoryStore& store, const std::string& tenant,
                                                               const Request& request) {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 1));
  ASSIGN_OR_RETURN(std::vector<v1::Organisation> organisations,
                   store.ListOrganisations(tenant, AfterId(paging), paging.size + 1));
  v1::ListOrganisationsResponse out;
  out.set_next_page_token(CutPage(organisations, paging, [](const v1::Organisation& last) {
    return std::vector<std::string>{last.organisation_id()};
  }));
  for (auto& o : organisations) *out.add_organisations() = std::move(o);
  return out;
}

}  // namespace

const AccessPolicy kDirectoryPolicy({
    {"Login", Open().Audit(audit::v1::ACTION_LOGIN, "session")},
    {"RefreshToken", Open().Audit(audit::v1::ACTION_LOGIN, "session")},
    {"IssueClientToken", Open().Audit(audit::v1::ACTION_LOGIN, "session")},
    {"CreateArea", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "area")},
    {"UpdateArea", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "area")},
    {"ListAreas", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "area")},
    {"UpdateOrganisation", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "organisation")},
    {"CreateOrganisation", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "organisation")},
    {"ListOrganisations", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "organisation")},
    {"CreateUser", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "user")},
    {"UpdateUser", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "user")},
    {"ListUsers", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "user")},
    {"CreateIntegratedClient",
     Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "integrated_client")},
    {"UpdateIntegratedClient",
     Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "integrated_client")},
    {"ListTenants", Services({"intake", "cases"})},
    {"ListTenantAreas", Services({"intake", "cases"})},
    {"ListTenantOrganisations", Services({"audit"})},
});

grpc::ServerUnaryReactor* LookupServiceImpl::ListTenants(grpc::CallbackServerContext* call,
                                                         const v1::ListTenantsRequest* request,
                                                         v1::ListTenantsResponse* response) {
  return runner_->Run(call, "ListTenants", *request, Into(response, [this, request](const RequestContext&, AuditRecord&)
                                                              -> absl::StatusOr<v1::ListTenantsResponse> {
    ASSIGN_OR_RETURN(Paging paging, PagingOf(*request, kDefaultPageSize, kMaxPageSize, 1));
    ASSIGN_OR_RETURN(auto tenants, store_->ListTenants(AfterId(paging), paging.size + 1));
    v1::ListTenantsResponse out;
    out.set_next_page_token(CutPage(tenants, paging, [](const v1::Tenant& last) {
      return std::vector<std::string>{last.tenant_id()};
    }));
    for (auto& t : tenants) *out.add_tenants() = std::move(t);
    return out;
  }));
}

grpc::ServerUnaryReactor* LookupServiceImpl::ListTenantAreas(
    grpc::CallbackServerContext* call, const v1::ListTenantAreasRequest* request,
    v1::ListAreasResponse* response) {
  return runner_->Run(call, "ListTenantAreas", *request, Into(response, [this, request](const RequestContext&, AuditRecord&)
                                                                  -> absl::StatusOr<v1::ListAreasResponse> {
    RETURN_IF_ERROR(CheckId("tenant_id", request->tenant_id()));
    return AreaPage(*store_, request->tenant_id(), *request);
  }));
}

grpc::ServerUnaryReactor* LookupServiceImpl::ListTenantOrganisations(
    grpc::CallbackServerContext* call, const v1::ListTenantOrganisationsRequest* request,
    v1::ListOrganisationsResponse* response) {
  return runner_->Run(call, "ListTenantOrganisations", *request,
                      Into(response, [this, request](const RequestContext&, AuditRecord&)
                                         -> absl::StatusOr<v1::ListOrganisationsResponse> {
                        RETURN_IF_ERROR(CheckId("tenant_id", request->tenant_id()));
                        return OrganisationPage(*store_, request->tenant_id(), *request);
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

grpc::ServerUnaryReactor* AuthServiceImpl::IssueClientToken(
    grpc::CallbackServerContext* call, const v1::IssueClientTokenRequest* request,
    v1::TokenResponse* response) {
  return runner_->Run(call, "IssueClientToken", *request,
                      Into(response, [this, request](const RequestContext& caller, AuditRecord& audit) {
                        return issuer_->ForClient(caller.peer_identity, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateArea(grpc::CallbackServerContext* call,
                                                           const v1::CreateAreaRequest* request,
                                                           v1::Area* response) {
  return runner_->Run(call, "CreateArea", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                                              -> absl::StatusOr<v1::Area> {
    RETURN_IF_ERROR(CheckId("area.area_id", request->area().area_id()));
    if (!request->area().parent_area_id().empty()) {
      RETURN_IF_ERROR(CheckId("area.parent_area_id", request->area().parent_area_id()));
    }
    RETURN_IF_ERROR(CheckName("area.name", request->area().name()));
    audit.SetObjectId(request->area().area_id());
    return store_->CreateArea(c.tenant, request->area(), audit);
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateArea(grpc::CallbackServerContext* call,
                                                           const v1::UpdateAreaRequest* request,
                                                           v1::Area* response) {
  return runner_->Run(call, "UpdateArea", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                                              -> absl::StatusOr<v1::Area> {
    RETURN_IF_ERROR(CheckId("area_id", request->area_id()));
    ASSIGN_OR_RETURN(UpdatePaths paths, UpdatePathsOf(request->update_mask(), {"name", "parent_area_id"}));
    // The store keeps what it gets empty.
    std::string name, parent;
    if (paths.contains("name")) {
      RETURN_IF_ERROR(CheckName("name", request->name()));
      name = request->name();
    }
    if (paths.contains("parent_area_id")) {
      RETURN_IF_ERROR(CheckId("parent_area_id", request->parent_area_id()));
      parent = request->parent_area_id();
    }
    audit.SetObjectId(request->area_id());
    return store_->UpdateArea(c.tenant, request->area_id(), name, parent, audit);
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateOrganisation(
    grpc::CallbackServerContext* call, const v1::UpdateOrganisationRequest* request,
    v1::Organisation* response) {
  return runner_->Run(call, "UpdateOrganisation", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                         -> absl::StatusOr<v1::Organisation> {
    RETURN_IF_ERROR(CheckId("organisation_id", request->organisation_id()));
    RETURN_IF_ERROR(UpdatePathsOf(request->update_mask(), {"name"}).status());
    RETURN_IF_ERROR(CheckName("name", request->name()));
    audit.SetObjectId(request->organisation_id());
    return store_->RenameOrganisation(c.tenant, request->organisation_id(), request->name(), audit);
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::ListAreas(grpc::CallbackServerContext* call,
                                                          const v1::ListAreasRequest* request,
                                                          v1::ListAreasResponse* response) {
  return runner_->Run(call, "ListAreas", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                                            -> absl::StatusOr<v1::ListAreasResponse> {
    ASSIGN_OR_RETURN(v1::ListAreasResponse out, AreaPage(*store_, c.tenant, *request));
    audit.SetResultCount(out.areas_size());
    return out;
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateOrganisation(
    grpc::CallbackServerContext* call, const v1::CreateOrganisationRequest* request,
    v1::Organisation* response) {
  return runner_->Run(call, "CreateOrganisation", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                         -> absl::StatusOr<v1::Organisation> {
    const v1::Organisation& o = request->organisation();
    RETURN_IF_ERROR(CheckId("organisation.organisation_id", o.organisation_id()));
    RETURN_IF_ERROR(CheckName("organisation.name", o.name()));
    if (o.kind() == common::v1::ORGANISATION_KIND_UNSPECIFIED ||
        !common::v1::OrganisationKind_IsValid(o.kind())) {
      return absl::InvalidArgumentError("organisation.kind: is required");
    }
    audit.SetObjectId(o.organisation_id());
    return store_->CreateOrganisation(c.tenant, o, audit);
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::ListOrganisations(
    grpc::CallbackServerContext* call, const v1::ListOrganisationsRequest* request,
    v1::ListOrganisationsResponse* response) {
  return runner_->Run(call, "ListOrganisations", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                         -> absl::StatusOr<v1::ListOrganisationsResponse> {
    ASSIGN_OR_RETURN(v1::ListOrganisationsResponse out, OrganisationPage(*store_, c.tenant, *request));
    audit.SetResultCount(out.organisations_size());
    return out;
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateUser(grpc::CallbackServerContext* call,
                                                           const v1::CreateUserRequest* request,
                                                           v1::User* response) {
  return runner_->Run(call, "CreateUser", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                                              -> absl::StatusOr<v1::User> {
    const v1::User& u = request->user();
    audit.SetObjectId(u.user_id());
    RETURN_IF_ERROR(CheckId("user.user_id", u.user_id()));
    RETURN_IF_ERROR(CheckId("user.organisation_id", u.organisation_id()));
    RETURN_IF_ERROR(CheckName("user.display_name", u.display_name()));
    if (u.roles().empty()) return absl::InvalidArgumentError("user.roles: at least one role");
    RETURN_IF_ERROR(CheckRoles("user.roles", u.roles()));
    RETURN_IF_ERROR(CheckAreas("user.areas", u.areas()));
    if (Utf8Length(request->password()).value_or(0) < kMinPasswordLength) {
      return absl::InvalidArgumentError(
          absl::StrCat("password: must be at least ", kMinPasswordLength, " characters"));
    }
    ASSIGN_OR_RETURN(std::string hash, HashPassword(request->password()));
    return store_->CreateUser(c.tenant, u, hash, audit);
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateUser(grpc::CallbackServerContext* call,
                                                           const v1::UpdateUserRequest* request,
                                                           v1::User* response) {
  return runner_->Run(call, "UpdateUser", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                                              -> absl::StatusOr<v1::User> {
    audit.SetObjectId(request->user_id());
    RETURN_IF_ERROR(CheckId("user_id", request->user_id()));
    ASSIGN_OR_RETURN(UpdatePaths paths, UpdatePathsOf(request->update_mask(), {"roles", "areas", "active"}));
    std::optional<std::vector<std::string>> roles, areas;
    std::optional<bool> active;
    if (paths.contains("roles")) {
      RETURN_IF_ERROR(CheckRoles("roles", request->roles()));
      roles.emplace(request->roles().begin(), request->roles().end());
    }
    if (paths.contains("areas")) {
      RETURN_IF_ERROR(CheckAreas("areas", request->areas()));
      areas.emplace(request->areas().begin(), request->areas().end());
    }
    if (paths.contains("active")) active = request->active();
    return store_->UpdateUser(c.tenant, request->user_id(), roles, areas, active, audit);
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::ListUsers(grpc::CallbackServerContext* call,
                                                          const v1::ListUsersRequest* request,
                                                          v1::ListUsersResponse* response) {
  return runner_->Run(call, "ListUsers", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                                            -> absl::StatusOr<v1::ListUsersResponse> {
    ASSIGN_OR_RETURN(Paging paging, PagingOf(*request, kDefaultPageSize, kMaxPageSize, 1));
    ASSIGN_OR_RETURN(auto users,
                     store_->ListUsers(c.tenant, request->organisation_id(), AfterId(paging), paging.size + 1));
    v1::ListUsersResponse out;
    out.set_next_page_token(CutPage(users, paging, [](const v1::User& last) {
      return std::vector<std::string>{last.user_id()};
    }));
    for (auto& u : users) *out.add_users() = std::move(u);
    audit.SetResultCount(out.users_size());
    return out;
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::CreateIntegratedClient(
    grpc::CallbackServerContext* call, const v1::CreateIntegratedClientRequest* request,
    v1::IntegratedClient* response) {
  return runner_->Run(call, "CreateIntegratedClient", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                         -> absl::StatusOr<v1::IntegratedClient> {
    const v1::IntegratedClient& client = request->client();
    RETURN_IF_ERROR(CheckId("client.client_id", client.client_id()));
    RETURN_IF_ERROR(CheckId("client.organisation_id", client.organisation_id()));
    if (client.certificate_uri().rfind("spiffe://", 0) != 0 &&
        client.certificate_uri().rfind("urn:", 0) != 0) {
      return absl::InvalidArgumentError(
          "client.certificate_uri: must be the certificate's URI SAN (spiffe://... or urn:...)");
    }
    audit.SetObjectId(client.client_id());
    return store_->CreateClient(c.tenant, client, audit);
  }));
}

grpc::ServerUnaryReactor* DirectoryServiceImpl::UpdateIntegratedClient(
    grpc::CallbackServerContext* call, const v1::UpdateIntegratedClientRequest* request,
    v1::IntegratedClient* response) {
  return runner_->Run(call, "UpdateIntegratedClient", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit)
                                         -> absl::StatusOr<v1::IntegratedClient> {
    RETURN_IF_ERROR(CheckId("client_id", request->client_id()));
    RETURN_IF_ERROR(UpdatePathsOf(request->update_mask(), {"active"}).status());
    audit.SetObjectId(request->client_id());
    return store_->SetClientActive(c.tenant, request->client_id(), request->active(), audit);
  }));
}

}  // namespace hartslag::directory
