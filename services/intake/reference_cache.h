// ReferenceCache: the tenant data every submission is checked against (its
// reference prefix, time zone, closing days, areas and active categories),
// read once and kept for a few seconds instead of read per submission.
//
// Stale data decides nothing: the batch that stores a signal checks the
// tenant's settings, the area and the category version again in its INSERT
// and leaves the signal to the one-by-one way when they changed, and
// SignalIntake decides every refusal on fresh data. What staleness can cost
// is a slower submission, or an area's former name in the answer. Changes
// made through this service (categories; areas and settings taken over from
// the directory) invalidate the tenant at once; others, made by another
// instance or by hand, are read again within `max_age`. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_REFERENCE_CACHE_H_
#define HARTSLAG_SERVICES_INTAKE_REFERENCE_CACHE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/intake/category_store.h"
#include "services/intake/signal_store.h"

namespace hartslag::intake {

class ReferenceCache {
 public:
  ReferenceCache(SignalStore* store, CategoryStore* categories, absl::Duration max_age = absl::Seconds(5))
      : store_(store), categories_(categories), max_age_(max_age) {}

  // The tenant's data, or null when the tenant is not set up for intake.
  absl::StatusOr<std::shared_ptr<const TenantReference>> Get(const std::string& tenant, absl::Time deadline);
  // What Get would answer without reading, or null when it would have to
  // read (nothing held, or held too long): never waits for the database.
  std::shared_ptr<const TenantReference> Held(const std::string& tenant);
  // Forgets what is held for `tenant`; the next Get reads it again.
  void Invalidate(const std::string& tenant);

 private:
  absl::StatusOr<std::shared_ptr<const TenantReference>> Read(const std::string& tenant, absl::Time deadline);

  struct Entry {
    std::shared_ptr<const TenantReference> reference;
    absl::Time read_at;
    // One caller reads an expired entry again while the others go on with
    // it (it decides nothing), so that expiry is one read, not one per
    // submission in flight.
    bool refreshing = false;
  };
  // Young enough, or another caller reads it again meanwhile.
  bool Answerable(const Entry& entry) const { return absl::Now() - entry.read_at < max_age_ || entry.refreshing; }
  SignalStore* store_;
  CategoryStore* categories_;
  const absl::Duration max_age_;
  std::mutex mutex_;
  // Only tenants that exist are held (the tenant comes from a verified token),
  // so this grows with the tenants intake serves, not with what callers send.
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mutex_);
  // Raised by every Invalidate, so that a read begun before it is not kept.
  uint64_t generation_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_REFERENCE_CACHE_H_
