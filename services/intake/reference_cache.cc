#include "services/intake/reference_cache.h"

#include "services/common/status_macros.h"

namespace hartslag::intake {

absl::StatusOr<std::shared_ptr<const TenantReference>> ReferenceCache::Get(const std::string& tenant,
                                                                          absl::Time deadline) {
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(tenant);
    if (it != entries_.end()) {
      Entry& entry = it->second;
      if (Answerable(entry)) return entry.reference;
      entry.refreshing = true;
    }
    generation = generation_;
  }
  // Read outside the lock: a slow database holds back only this caller.
  const absl::Time read_at = absl::Now();
  absl::StatusOr<std::shared_ptr<const TenantReference>> read = Read(tenant, deadline);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(tenant);
  if (read.ok() && *read != nullptr && generation == generation_) {
    entries_[tenant] = {*read, read_at};
  } else if (it != entries_.end()) {
    it->second.refreshing = false;  // the next caller tries again
  }
  return read;
}

std::shared_ptr<const TenantReference> ReferenceCache::Held(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(tenant);
  if (it == entries_.end()) return nullptr;
  return Answerable(it->second) ? it->second.reference : nullptr;
}

absl::StatusOr<std::shared_ptr<const TenantReference>> ReferenceCache::Read(const std::string& tenant,
                                                                           absl::Time deadline) {
  ASSIGN_OR_RETURN(std::optional<TenantReference> loaded, store_->LoadTenantReference(tenant, deadline));
  if (!loaded) return std::shared_ptr<const TenantReference>();
  ASSIGN_OR_RETURN(loaded->active_categories, categories_->List(tenant, /*active_only=*/true, deadline));
  return std::make_shared<const TenantReference>(*std::move(loaded));
}

void ReferenceCache::Invalidate(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++generation_;
  entries_.erase(tenant);
}

}  // namespace hartslag::intake
