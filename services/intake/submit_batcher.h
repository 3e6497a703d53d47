// SubmitBatcher: group commit for SubmitSignal. Submissions that arrive while
// a batch commits wait together and are stored by the next one, in one
// transaction with their audit records (SignalStore::SubmitBatch), so that
// many reporters share one WAL flush instead of each waiting for their own.
// Each caller is answered only after the commit that holds its signal and its
// audit record; synchronous_commit stays on.
//
// The queue cannot grow beyond the request handlers that feed it (the
// service's worker pool): each waits for its own answer. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_SUBMIT_BATCHER_H_
#define HARTSLAG_SERVICES_INTAKE_SUBMIT_BATCHER_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "services/intake/signal_store.h"

namespace hartslag::intake {

class SubmitBatcher {
 public:
  struct Options {
    int max_batch = 128;
    // Batches committing at the same time (each on its own connection), so
    // that the next batch is written while the previous one waits for its
    // flush.
    int committers = 2;
  };
  SubmitBatcher(SignalStore* store, Options options);
  ~SubmitBatcher();  // stores what is queued, then stops

  // Stores `item` with the next batch. nullopt when the batch did not store
  // it (SignalStore::SubmitBatch) or failed as a whole: the caller then takes
  // the one-by-one way, which decides it on fresh data and answers exactly.
  std::optional<v1::Signal> Submit(const BatchedSubmission& item, absl::Time deadline);

 private:
  struct Pending {
    const BatchedSubmission* item;
    absl::Time deadline;
    std::optional<v1::Signal> stored;
    bool done = false;
    // Its own, so that a batch's end wakes its callers and not every
    // caller that waits (64 threads, on two cores, for each batch).
    std::condition_variable answered;
  };
  void Commit();

  SignalStore* store_;
  const Options options_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> committers_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SUBMIT_BATCHER_H_
