#include "services/intake/area_sync.h"

#include "services/common/log.h"
#include "services/common/server.h"

namespace hartslag::intake {
namespace {

std::unique_ptr<grpc::ClientContext> Call() {
  auto call = std::make_unique<grpc::ClientContext>();
  call->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return call;
}

}  // namespace

AreaSync::AreaSync(std::shared_ptr<grpc::Channel> directory, SignalStore* store,
                   absl::Duration interval)
    : directory_(directory::v1::LookupService::NewStub(std::move(directory))),
      store_(store),
      interval_(interval) {}

AreaSync::~AreaSync() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::Status AreaSync::SyncOnce() {
  directory::v1::ListTenantsResponse tenants;
  grpc::Status status = directory_->ListTenants(Call().get(), {}, &tenants);
  if (!status.ok()) return FromGrpcStatus(status);
  for (const auto& tenant : tenants.tenants()) {
    directory::v1::ListTenantAreasRequest request;
    request.set_tenant_id(tenant.tenant_id());
    directory::v1::ListAreasResponse areas;
    status = directory_->ListTenantAreas(Call().get(), request, &areas);
    if (!status.ok()) return FromGrpcStatus(status);
    std::vector<AreaRow> rows;
    for (const auto& a : areas.areas()) rows.push_back({a.area_id(), a.parent_area_id(), a.name()});
    absl::Status stored = store_->CreateTenant(tenant.tenant_id(), tenant.name(), rows);
    if (!stored.ok()) return stored;
  }
  return absl::OkStatus();
}

void AreaSync::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_), [this] { return stopping_; })) {
      lock.unlock();
      if (absl::Status status = SyncOnce(); !status.ok()) {
        Log(LogLevel::kWarning, "area sync failed; retrying", {{"error", status.ToString()}});
      }
      lock.lock();
    }
  });
}

}  // namespace hartslag::intake
