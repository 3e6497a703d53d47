#include "services/intake/reference_cache.h"

#include "services/common/status_macros.h"

namespace hartslag::intake {

absl::StatusOr<std::shared_ptr<const TenantReference>> ReferenceCache::Get(const std::string& tenant,
                                                                          absl::Time deadline) {
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(tenant);
    if (it != entries_.end() && absl::Now() - it->second.read_at < max_age_) return it->second.reference;
    generation = generation_;
  }
  // Read outside the lock: a slow database holds back only this tenant's
  // first submissions, and two concurrent reads of one tenant are harmless.
  const absl::Time read_at = absl::Now();
  ASSIGN_OR_RETURN(std::optional<TenantReference> loaded, store_->LoadTenantReference(tenant, deadline));
  if (!loaded) return std::shared_ptr<const TenantReference>();
  ASSIGN_OR_RETURN(loaded->active_categories, categories_->List(tenant, /*active_only=*/true, deadline));
  auto reference = std::make_shared<const TenantReference>(*std::move(loaded));
  std::lock_guard<std::mutex> lock(mutex_);
  if (generation == generation_) entries_[tenant] = {reference, read_at};
  return reference;
}

void ReferenceCache::Invalidate(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++generation_;
  entries_.erase(tenant);
}

}  // namespace hartslag::intake
