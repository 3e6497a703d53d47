#include "services/directory/directory_admin.h"

#include "google/protobuf/util/field_mask_util.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/proto_time.h"
#include "services/common/page_token.h"
#include "services/common/status_macros.h"
#include "services/common/update_mask.h"
#include "services/directory/directory_validation.h"
#include "services/directory/password.h"

namespace hartslag::directory {
namespace {

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

template <typename Response>
absl::StatusOr<Response> DirectoryAdmin::CreateOnce(
    const RequestContext& caller, absl::string_view rpc, const google::protobuf::Message& fingerprinted,
    AuditRecord& audit, const std::function<absl::StatusOr<Response>(db::Transaction&)>& create) const {
  Response created;
  RETURN_IF_ERROR(InAuditedTransaction(*pool_, audit, [&](db::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(created, once_.Run<Response>(tx, caller, rpc, fingerprinted, [&] { return create(tx); }));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<v1::Area> DirectoryAdmin::CreateArea(const RequestContext& caller, v1::CreateAreaRequest request,
                                                    AuditRecord& audit) const {
  audit.SetObjectId(request.area().area_id());
  RETURN_IF_ERROR(ValidateNewArea(request));
  return CreateOnce<v1::Area>(caller, "CreateArea", request, audit, [&](db::Transaction& tx) {
    return store_->InsertArea(tx, caller.tenant, request.area());
  });
}

absl::StatusOr<v1::Area> DirectoryAdmin::UpdateArea(const RequestContext& caller,
                                                    const v1::UpdateAreaRequest& request,
                                                    AuditRecord& audit) const {
  RETURN_IF_ERROR(CheckDirectoryId("area_id", request.area_id()));
  ASSIGN_OR_RETURN(UpdatePaths paths, UpdatePathsOf(request.update_mask(), {"name", "parent_area_id"}));
  // The store keeps what it gets empty.
  std::string name, parent;
  if (paths.contains("name")) {
    RETURN_IF_ERROR(CheckDisplayName("name", request.name()));
    name = request.name();
  }
  if (paths.contains("parent_area_id")) {
    RETURN_IF_ERROR(CheckDirectoryId("parent_area_id", request.parent_area_id()));
    parent = request.parent_area_id();
  }
  audit.SetObjectId(request.area_id());
  return store_->UpdateArea(caller.tenant, request.area_id(), name, parent, audit);
}

absl::StatusOr<v1::ListAreasResponse> DirectoryAdmin::ListAreas(const RequestContext& caller,
                                                                const v1::ListAreasRequest& request,
                                                                AuditRecord& audit) const {
  ASSIGN_OR_RETURN(v1::ListAreasResponse out, AreaPage(*store_, caller.tenant, request));
  audit.SetResultCount(out.areas_size());
  return out;
}

absl::StatusOr<v1::Tenant> DirectoryAdmin::GetTenant(const RequestContext& caller, AuditRecord& audit) const {
  audit.SetObjectId(caller.tenant);
  return store_->GetTenant(caller.tenant);
}

absl::StatusOr<v1::Tenant> DirectoryAdmin::UpdateTenantSettings(const RequestContext& caller,
                                                                const v1::UpdateTenantSettingsRequest& request,
                                                                AuditRecord& audit) const {
  const google::protobuf::Descriptor* settings = TenantSettings::descriptor();
  UpdatePaths updatable;
  for (int i = 0; i < settings->field_count(); ++i) updatable.insert(settings->field(i)->name());
  ASSIGN_OR_RETURN(UpdatePaths paths, UpdatePathsOf(request.update_mask(), updatable));
  audit.SetObjectId(caller.tenant);
  return store_->UpdateTenantSettings(caller.tenant, [&](TenantSettings& stored) {
    // Each named field takes the request's value; a zero or empty one
    // returns to its default.
    const google::protobuf::Reflection* reflection = stored.GetReflection();
    for (const std::string& path : paths) {
      const google::protobuf::FieldDescriptor* field = settings->FindFieldByName(path);
      reflection->ClearField(&stored, field);
    }
    google::protobuf::util::FieldMaskUtil::MergeOptions replace;
    replace.set_replace_repeated_fields(true);
    google::protobuf::util::FieldMaskUtil::MergeMessageTo(request.settings(), request.update_mask(), replace, &stored);
    stored = WithDefaults(std::move(stored));
    return CheckTenantSettings(stored);
  }, audit);
}

absl::StatusOr<v1::Organisation> DirectoryAdmin::CreateOrganisation(const RequestContext& caller,
                                                                    v1::CreateOrganisationRequest request,
                                                                    AuditRecord& audit) const {
  audit.SetObjectId(request.organisation().organisation_id());
  RETURN_IF_ERROR(ValidateNewOrganisation(request));
  return CreateOnce<v1::Organisation>(caller, "CreateOrganisation", request, audit, [&](db::Transaction& tx) {
    return store_->InsertOrganisation(tx, caller.tenant, request.organisation());
  });
}

absl::StatusOr<v1::Organisation> DirectoryAdmin::UpdateOrganisation(const RequestContext& caller,
                                                                    const v1::UpdateOrganisationRequest& request,
                                                                    AuditRecord& audit) const {
  RETURN_IF_ERROR(CheckDirectoryId("organisation_id", request.organisation_id()));
  RETURN_IF_ERROR(UpdatePathsOf(request.update_mask(), {"name"}).status());
  RETURN_IF_ERROR(CheckDisplayName("name", request.name()));
  audit.SetObjectId(request.organisation_id());
  return store_->RenameOrganisation(caller.tenant, request.organisation_id(), request.name(), audit);
}

absl::StatusOr<v1::ListOrganisationsResponse> DirectoryAdmin::ListOrganisations(
    const RequestContext& caller, const v1::ListOrganisationsRequest& request, AuditRecord& audit) const {
  ASSIGN_OR_RETURN(v1::ListOrganisationsResponse out, OrganisationPage(*store_, caller.tenant, request));
  audit.SetResultCount(out.organisations_size());
  return out;
}

absl::StatusOr<v1::User> DirectoryAdmin::CreateUser(const RequestContext& caller, v1::CreateUserRequest request,
                                                    AuditRecord& audit) const {
  audit.SetObjectId(request.user().user_id());
  RETURN_IF_ERROR(ValidateNewUser(request));
  ASSIGN_OR_RETURN(std::string hash, HashPassword(request.password()));
  // Kept a week to tell a retry from a reuse of the id: a fast hash of a
  // request holding the password would be a second, weaker password hash.
  v1::CreateUserRequest fingerprinted = request;
  fingerprinted.clear_password();
  return CreateOnce<v1::User>(caller, "CreateUser", fingerprinted, audit, [&](db::Transaction& tx) {
    return store_->InsertUser(tx, caller.tenant, request.user(), hash);
  });
}

absl::StatusOr<v1::User> DirectoryAdmin::UpdateUser(const RequestContext& caller,
                                                    const v1::UpdateUserRequest& request,
                                                    AuditRecord& audit) const {
  audit.SetObjectId(request.user_id());
  RETURN_IF_ERROR(CheckDirectoryId("user_id", request.user_id()));
  ASSIGN_OR_RETURN(UpdatePaths paths,
                   UpdatePathsOf(request.update_mask(), {"roles", "areas", "active", "password"}));
  std::optional<std::vector<std::string>> roles, areas;
  std::optional<bool> active;
  std::optional<std::string> password_hash;
  if (paths.contains("password")) {
    RETURN_IF_ERROR(CheckNewPassword("password", request.password()));
    ASSIGN_OR_RETURN(password_hash, HashPassword(request.password()));
  }
  if (paths.contains("roles")) {
    RETURN_IF_ERROR(CheckRoles("roles", request.roles()));
    roles.emplace(request.roles().begin(), request.roles().end());
  }
  if (paths.contains("areas")) {
    RETURN_IF_ERROR(CheckAreaIds("areas", request.areas()));
    areas.emplace(request.areas().begin(), request.areas().end());
  }
  if (paths.contains("active")) active = request.active();
  absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(v1::User user,
                   store_->UpdateUser(caller.tenant, request.user_id(), roles, areas, active, audit, password_hash));
  if (password_hash || active == false) *user.mutable_sessions_end_by() = TimeToProto(now + access_ttl_);
  return user;
}

absl::StatusOr<v1::ListUsersResponse> DirectoryAdmin::ListUsers(const RequestContext& caller,
                                                                const v1::ListUsersRequest& request,
                                                                AuditRecord& audit) const {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 1));
  ASSIGN_OR_RETURN(auto users,
                   store_->ListUsers(caller.tenant, request.organisation_id(), AfterId(paging), paging.size + 1));
  v1::ListUsersResponse out;
  out.set_next_page_token(CutPage(users, paging, [](const v1::User& last) {
    return std::vector<std::string>{last.user_id()};
  }));
  for (auto& u : users) *out.add_users() = std::move(u);
  audit.SetResultCount(out.users_size());
  return out;
}

absl::StatusOr<v1::IntegratedClient> DirectoryAdmin::CreateIntegratedClient(
    const RequestContext& caller, v1::CreateIntegratedClientRequest request, AuditRecord& audit) const {
  audit.SetObjectId(request.client().client_id());
  RETURN_IF_ERROR(ValidateNewClient(request));
  return CreateOnce<v1::IntegratedClient>(caller, "CreateIntegratedClient", request, audit,
                                          [&](db::Transaction& tx) {
                                            return store_->InsertClient(tx, caller.tenant, request.client());
                                          });
}

absl::StatusOr<v1::IntegratedClient> DirectoryAdmin::UpdateIntegratedClient(
    const RequestContext& caller, const v1::UpdateIntegratedClientRequest& request, AuditRecord& audit) const {
  RETURN_IF_ERROR(CheckDirectoryId("client_id", request.client_id()));
  RETURN_IF_ERROR(UpdatePathsOf(request.update_mask(), {"active"}).status());
  audit.SetObjectId(request.client_id());
  return store_->SetClientActive(caller.tenant, request.client_id(), request.active(), audit);
}

absl::StatusOr<v1::ListIntegratedClientsResponse> DirectoryAdmin::ListIntegratedClients(
    const RequestContext& caller, const v1::ListIntegratedClientsRequest& request, AuditRecord& audit) const {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 1));
  ASSIGN_OR_RETURN(auto clients,
                   store_->ListClients(caller.tenant, request.organisation_id(), AfterId(paging), paging.size + 1));
  v1::ListIntegratedClientsResponse out;
  out.set_next_page_token(CutPage(clients, paging, [](const v1::IntegratedClient& last) {
    return std::vector<std::string>{last.client_id()};
  }));
  for (auto& c : clients) *out.add_clients() = std::move(c);
  audit.SetResultCount(out.clients_size());
  return out;
}

absl::StatusOr<v1::ListTenantsResponse> DirectoryAdmin::ListTenants(const v1::ListTenantsRequest& request) const {
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 1));
  ASSIGN_OR_RETURN(auto tenants, store_->ListTenants(AfterId(paging), paging.size + 1));
  v1::ListTenantsResponse out;
  out.set_next_page_token(CutPage(tenants, paging, [](const v1::Tenant& last) {
    return std::vector<std::string>{last.tenant_id()};
  }));
  for (auto& t : tenants) *out.add_tenants() = std::move(t);
  return out;
}

absl::StatusOr<v1::ListAreasResponse> DirectoryAdmin::ListTenantAreas(
    const v1::ListTenantAreasRequest& request) const {
  RETURN_IF_ERROR(CheckDirectoryId("tenant_id", request.tenant_id()));
  return AreaPage(*store_, request.tenant_id(), request);
}

absl::StatusOr<v1::ListOrganisationsResponse> DirectoryAdmin::ListTenantOrganisations(
    const v1::ListTenantOrganisationsRequest& request) const {
  RETURN_IF_ERROR(CheckDirectoryId("tenant_id", request.tenant_id()));
  return OrganisationPage(*store_, request.tenant_id(), request);
}

absl::StatusOr<v1::ListTenantUsersResponse> DirectoryAdmin::ListTenantUsers(
    const v1::ListTenantUsersRequest& request) const {
  RETURN_IF_ERROR(CheckDirectoryId("tenant_id", request.tenant_id()));
  ASSIGN_OR_RETURN(Paging paging, PagingOf(request, kDefaultPageSize, kMaxPageSize, 1));
  ASSIGN_OR_RETURN(auto users, store_->ListUsers(request.tenant_id(), "", AfterId(paging), paging.size + 1));
  v1::ListTenantUsersResponse out;
  out.set_next_page_token(CutPage(users, paging, [](const v1::User& last) {
    return std::vector<std::string>{last.user_id()};
  }));
  // Only the name: roles, areas and account state stay in the directory.
  for (const v1::User& u : users) {
    v1::UserName& named = *out.add_users();
    named.set_user_id(u.user_id());
    named.set_display_name(u.display_name());
    named.set_organisation_id(u.organisation_id());
  }
  return out;
}

}  // namespace hartslag::directory
