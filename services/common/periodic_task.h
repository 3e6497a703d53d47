// PeriodicTask: the one background loop of every service. It runs a
// function again and again on a thread of its own until it is destroyed;
// the function says how long to wait before its next run, so a task can
// poll, back off after a failure or go on at once while work is left.
//
//   PeriodicTask publisher(interval, [&] {
//     if (absl::Status s = log.PublishTreeHeads(); !s.ok()) Log(...);
//     return interval;                     // the wait before the next run
//   });
//   publisher.Wake();                      // run now, not at the end of the wait
//
// Destruction stops it promptly: a wait ends at once, a run in progress is
// finished (never interrupted) and the thread is joined, so `run` may use
// anything that outlives the task. Declare the task after what its function
// uses, so that it is destroyed first.
//
// Thread-safe: Wake may be called from any thread, also while `run` runs
// (the next wait is then skipped, so no wake-up is lost).
#ifndef HARTSLAG_SERVICES_COMMON_PERIODIC_TASK_H_
#define HARTSLAG_SERVICES_COMMON_PERIODIC_TASK_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace hartslag {

class PeriodicTask {
 public:
  // Returns how long to wait before the next run (zero: at once).
  using Run = std::function<absl::Duration()>;

  // Runs `run` first after `first_wait` (zero: at once), then after each
  // wait it returns.
  PeriodicTask(absl::Duration first_wait, Run run);
  ~PeriodicTask();

  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Ends the current wait, or the next one if `run` is running.
  void Wake();

 private:
  void Loop(absl::Duration first_wait);

  const Run run_;
  // std::mutex, as everywhere here: ThreadSanitizer sees it, and not
  // Debian's uninstrumented absl::Mutex.
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  bool woken_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PERIODIC_TASK_H_
