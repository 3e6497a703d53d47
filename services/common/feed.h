// Feeds: a table of changes with a gap-free, commit-ordered sequence per
// tenant, which a client follows from a cursor over a server stream
// (feed_stream.h, RpcRunner::Stream). Each step of a stream reads a page of
// changes after its position; when it has caught up the stream waits on a
// Doorbell, rung by the service right after it commits a change and by a
// ticker, so that changes committed by another instance of the service
// arrive within one poll interval.
#ifndef HARTSLAG_SERVICES_COMMON_FEED_H_
#define HARTSLAG_SERVICES_COMMON_FEED_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/periodic_task.h"

namespace hartslag {

// Begins one more audit record of a streaming call, like the call's own:
// one for each object a step of the stream delivers.
using RecordBegin = std::function<AuditRecord()>;
// One step of a feed stream: the next page of events after the stream's
// position (which the step keeps), each recorded, in the transaction that
// read it, in a record from `begin`; empty when there are none yet. The
// context's deadline bounds this step only.
template <typename Event>
using FeedStep = std::function<absl::StatusOr<std::vector<Event>>(const RequestContext&, const RecordBegin& begin)>;

// Wakes the streams waiting for new changes. Thread-safe.
//
// The service rings it right after it commits a change. For the changes of
// other instances it polls: every `poll` it asks `probe` for a number that
// moves whenever the feed does (one cheap query for every stream of the
// instance), and rings only when it moved; otherwise it only ticks: waiting
// streams wake (to notice an expired token) but see from changes() that
// there is nothing to read. Without a probe every poll rings.
class Doorbell {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void Wake() = 0;
  };

  using Probe = std::function<absl::StatusOr<int64_t>()>;

  explicit Doorbell(absl::Duration poll, Probe probe = {});
  ~Doorbell();

  // How often it has woken its listeners: read before looking for changes,
  // and handed to Await, so that a wake-up in between is not missed.
  uint64_t rings() const;
  // How often it has rung for a change; a stream that read nothing after
  // reading this number need not read again until it moves.
  uint64_t changes() const;
  // Wakes `listener` once at the next ring after `seen`. Returns false,
  // without waiting, if it rang since.
  bool Await(std::weak_ptr<Listener> listener, uint64_t seen);
  void Ring();
  // For a server that shuts down: wakes every stream for good, so that each
  // ends (UNAVAILABLE) at once and its client resumes elsewhere.
  void Close();
  bool closed() const;

 private:
  // Wakes the waiting listeners; with `changed`, counts a change.
  void Wake(bool changed);

  mutable std::mutex mutex_;
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
  uint64_t rings_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t changes_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<std::weak_ptr<Listener>> waiting_ ABSL_GUARDED_BY(mutex_);
  std::unique_ptr<PeriodicTask> ticker_;  // last: stops before the members above go
};

// Bounds the streams open at once per key (an organisation). Thread-safe;
// a lease may outlive the limit that gave it.
class StreamLimit {
 public:
  explicit StreamLimit(int max) : max_(max), counts_(std::make_shared<Counts>()) {}
  // A lease for one more stream of `key`, to hold while the stream is open;
  // RESOURCE_EXHAUSTED when `key` has `max` open already.
  absl::StatusOr<std::shared_ptr<void>> Acquire(const std::string& key);
  int open(const std::string& key) const;
  // Streams open now, of every key.
  int total() const;

 private:
  // std::mutex, as everywhere here: ThreadSanitizer sees it, and not
  // Debian's uninstrumented absl::Mutex.
  struct Counts {
    mutable std::mutex mutex;
    std::map<std::string, int> open ABSL_GUARDED_BY(mutex);
  };
  const int max_;
  const std::shared_ptr<Counts> counts_;
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_FEED_H_
