#include "services/common/area_sync.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/common/all_pages.h"
#include "services/common/log.h"
#include "services/common/server.h"
#include "services/common/status_macros.h"

namespace hartslag {

AreaCopy::AreaCopy(absl::string_view schema) {
  auto in_schema = [&](absl::string_view sql) { return absl::StrReplaceAll(sql, {{"$schema", schema}}); };
  insert_tenant_ = in_schema(R"sql(
    INSERT INTO $schema.tenants (tenant_id, name) VALUES ($1, $2)
    ON CONFLICT (tenant_id) DO UPDATE SET name = EXCLUDED.name
  )sql");
  insert_area_ = in_schema(R"sql(
    INSERT INTO $schema.areas (tenant_id, area_id, parent_area_id, name)
    VALUES ($1, $2, NULLIF($3, ''), $4)
    ON CONFLICT (tenant_id, area_id)
    DO UPDATE SET parent_area_id = EXCLUDED.parent_area_id, name = EXCLUDED.name
  )sql");
  // A root below another root is reached twice: its greatest depth puts it
  // after its parent. CYCLE ends the walk should the copy ever hold a loop.
  within_ = in_schema(R"sql(
    WITH RECURSIVE scope AS (
      SELECT area_id, parent_area_id, name, 0 AS depth FROM $schema.areas
      WHERE tenant_id = $1 AND area_id = ANY($2::text[])
      UNION ALL
      SELECT a.area_id, a.parent_area_id, a.name, scope.depth + 1 FROM $schema.areas a
      JOIN scope ON a.parent_area_id = scope.area_id
      WHERE a.tenant_id = $1
    ) CYCLE area_id SET looped USING path
    SELECT area_id, coalesce(parent_area_id, '') AS parent_area_id, name FROM scope
    WHERE NOT looped
    GROUP BY area_id, parent_area_id, name
    ORDER BY max(depth), name, area_id
  )sql");
}

absl::Status AreaCopy::Store(db::Transaction& tx, const std::string& tenant, const std::string& name,
                             const std::vector<AreaRow>& areas) const {
  RETURN_IF_ERROR(tx.Exec(insert_tenant_, {tenant, name}));
  for (const AreaRow& area : areas) {
    RETURN_IF_ERROR(tx.Exec(insert_area_, {tenant, area.area_id, area.parent_area_id, area.name}));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AreaRow>> AreaCopy::Tree(db::Pool& pool, const std::string& tenant,
                                                     const std::vector<std::string>& roots,
                                                     absl::Time deadline) const {
  std::vector<AreaRow> areas;
  if (roots.empty()) return areas;
  db::TransactionOptions options;
  options.deadline = deadline;
  ASSIGN_OR_RETURN(db::Rows rows, pool.Query(within_, {tenant, db::TextArray(roots)}, options));
  for (int i = 0; i < rows.size(); ++i) {
    areas.push_back({rows.Text(i, "area_id"), rows.Text(i, "parent_area_id"), rows.Text(i, "name")});
  }
  return areas;
}

absl::StatusOr<std::set<std::string>> AreaCopy::Within(db::Pool& pool, const std::string& tenant,
                                                       const std::vector<std::string>& roots,
                                                       absl::Time deadline) const {
  ASSIGN_OR_RETURN(std::vector<AreaRow> tree, Tree(pool, tenant, roots, deadline));
  std::set<std::string> areas;
  for (AreaRow& area : tree) areas.insert(std::move(area.area_id));
  return areas;
}
namespace {

std::unique_ptr<grpc::ClientContext> Call() {
  auto call = std::make_unique<grpc::ClientContext>();
  call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return call;
}

}  // namespace

AreaSync::AreaSync(std::shared_ptr<grpc::Channel> directory, Sink sink, absl::Duration interval,
                   NamesSink names)
    : directory_(directory::v1::LookupService::NewStub(std::move(directory))),
      sink_(std::move(sink)),
      names_(std::move(names)),
      interval_(interval) {}

absl::Status AreaSync::SyncOnce() {
  directory::v1::ListTenantsResponse tenants;
  RETURN_IF_ERROR(AllPages(directory::v1::ListTenantsRequest(), tenants, [&](const auto& page_request, auto& page) {
    return FromGrpcStatus(directory_->ListTenants(Call().get(), page_request, &page));
  }));
  for (const auto& tenant : tenants.tenants()) {
    directory::v1::ListTenantAreasRequest request;
    request.set_tenant_id(tenant.tenant_id());
    // All pages before storing any: the copy takes a tenant's areas in one
    // transaction, parents before children, and the pages come in that order.
    directory::v1::ListAreasResponse areas;
    RETURN_IF_ERROR(AllPages(request, areas, [&](const auto& page_request, auto& page) {
      return FromGrpcStatus(directory_->ListTenantAreas(Call().get(), page_request, &page));
    }));
    std::vector<AreaRow> rows;
    for (const auto& a : areas.areas()) rows.push_back({a.area_id(), a.parent_area_id(), a.name()});
    absl::Status stored = sink_(tenant, rows);
    if (!stored.ok()) return stored;
    if (!names_) continue;
    directory::v1::ListTenantOrganisationsRequest organisations_request;
    organisations_request.set_tenant_id(tenant.tenant_id());
    directory::v1::ListOrganisationsResponse organisations;
    RETURN_IF_ERROR(AllPages(organisations_request, organisations, [&](const auto& page_request, auto& page) {
      return FromGrpcStatus(directory_->ListTenantOrganisations(Call().get(), page_request, &page));
    }));
    directory::v1::ListTenantUsersRequest users_request;
    users_request.set_tenant_id(tenant.tenant_id());
    directory::v1::ListTenantUsersResponse users;
    RETURN_IF_ERROR(AllPages(users_request, users, [&](const auto& page_request, auto& page) {
      return FromGrpcStatus(directory_->ListTenantUsers(Call().get(), page_request, &page));
    }));
    RETURN_IF_ERROR(names_(tenant.tenant_id(), {organisations.organisations().begin(), organisations.organisations().end()},
                           {users.users().begin(), users.users().end()}));
  }
  return absl::OkStatus();
}

void AreaSync::Start() {
  task_ = std::make_unique<PeriodicTask>(interval_, [this] {
    if (absl::Status status = SyncOnce(); !status.ok()) {
      Log(LogLevel::kWarning, "area sync failed; retrying", {{"error", status.ToString()}});
    }
    return interval_;
  });
}

void AddAreaSyncFlags(Flags& flags) {
  flags.Add("directory", "HARTSLAG_DIRECTORY_ADDR", "",
            "hartslag-directory address to copy tenants and areas from (empty: no copying)");
  flags.Add("directory-ca", "HARTSLAG_CA", "", "PEM file of the CA of the directory's certificate");
  flags.Add("area-sync-interval", "HARTSLAG_AREA_SYNC_INTERVAL", "60s",
            "how often to copy tenants and areas from the directory");
}

absl::StatusOr<std::unique_ptr<AreaSync>> StartAreaSync(const Flags& flags, AreaSync::Sink sink,
                                                        AreaSync::NamesSink names) {
  if (flags.Get("directory").empty()) return nullptr;
  ASSIGN_OR_RETURN(absl::Duration interval, flags.GetDuration("area-sync-interval"));
  ASSIGN_OR_RETURN(auto directory, ServiceChannel(flags, "directory", "directory-ca"));
  auto sync = std::make_unique<AreaSync>(directory,
                                         std::move(sink), interval, std::move(names));
  // A directory that is down at start-up only delays the copy: the service
  // serves with the areas it already has and the background sync retries.
  if (absl::Status status = sync->SyncOnce(); !status.ok()) {
    Log(LogLevel::kWarning, "area sync failed at start-up; retrying", {{"error", status.ToString()}});
  }
  sync->Start();
  return sync;
}

}  // namespace hartslag
