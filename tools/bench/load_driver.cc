#include "tools/bench/load_driver.h"

#include <algorithm>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace hartslag::bench {

double LoadResult::Percentile(double p) const {
  if (latencies_ms.empty()) return 0;
  size_t at = static_cast<size_t>(p * static_cast<double>(latencies_ms.size()));
  return latencies_ms[std::min(latencies_ms.size() - 1, at)];
}

namespace {

// A call ending may start the next one on the same thread; when a call ends
// inside the call that started it (gRPC may fail a call at once), that
// would nest without bound, so past this depth the next call is left to the
// driving thread.
constexpr int kMaxNesting = 4;
thread_local int nesting = 0;

class LoadRun {
 public:
  LoadRun(const LoadOptions& options, const IssueCall& issue) : options_(options), issue_(issue) {}

  LoadResult Closed() {
    const absl::Time begin = absl::Now();
    SetWindow(begin);
    for (int i = 0; i < options_.concurrency; ++i) {
      if (!Claim()) break;
      Start(absl::Now());
    }
    bool cancelled = false;
    for (;;) {
      int restarts = 0;
      {
        absl::MutexLock lock(&mu_);
        const absl::Condition woken(
            +[](LoadRun* run) ABSL_EXCLUSIVE_LOCKS_REQUIRED(run->mu_) {
              return run->restarts_ > 0 || run->in_flight_ == 0;
            },
            this);
        if (!cancelled && options_.cancel_in_flight && !mu_.AwaitWithDeadline(woken, stop_at_)) {
          cancelled = true;
          mu_.Unlock();
          options_.cancel_in_flight();
          mu_.Lock();
        }
        mu_.Await(woken);
        if (restarts_ == 0) break;
        restarts = restarts_;
        restarts_ = 0;
        in_flight_ -= restarts;  // claimed by the ended calls, started here
      }
      for (int i = 0; i < restarts; ++i) {
        if (Claim()) Start(absl::Now());
      }
    }
    return Finish(begin);
  }

  LoadResult Open() {
    const absl::Time begin = absl::Now();
    SetWindow(begin);
    const absl::Duration interval = absl::Seconds(1) / options_.rate;
    for (int64_t i = 0;; ++i) {
      const absl::Time intended = begin + i * interval;
      if (intended >= stop_at_) break;
      if (absl::Time now = absl::Now(); now < intended) absl::SleepFor(intended - now);
      bool room = false;
      {
        absl::MutexLock lock(&mu_);
        room = in_flight_ < options_.concurrency;
        if (room) ++in_flight_;
        else if (intended >= window_start_) Count(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, ""), 0, "CLIENT_OVERLOADED");
      }
      if (room) Start(intended);
    }
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](LoadRun* run) ABSL_EXCLUSIVE_LOCKS_REQUIRED(run->mu_) { return run->in_flight_ == 0; }, this));
    }
    return Finish(begin);
  }

 private:
  // Called before the first call starts; the window stays as it is after.
  void SetWindow(absl::Time begin) {
    if (options_.max_calls > 0) {
      window_start_ = begin;
      stop_at_ = begin + options_.duration;
    } else {
      window_start_ = begin + options_.warmup;
      stop_at_ = window_start_ + options_.duration;
    }
  }

  // Reserves the start of one more call of the closed loop; false once the
  // run is over.
  bool Claim() {
    absl::MutexLock lock(&mu_);
    if (!MayStartAnother()) return false;
    ++started_;
    ++in_flight_;
    return true;
  }

  bool MayStartAnother() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !(options_.max_calls > 0 && started_ >= options_.max_calls) && absl::Now() < stop_at_;
  }

  // Starts one call that was claimed; `intended` is when it was due.
  void Start(absl::Time intended) {
    issue_([this, intended](const grpc::Status& status) { Ended(intended, status); });
  }

  void Ended(absl::Time intended, const grpc::Status& status) {
    const absl::Time now = absl::Now();
    bool open = options_.rate > 0;
    bool again = false;
    {
      absl::MutexLock lock(&mu_);
      // The open loop counts the calls due in the window, the closed loop
      // those ending in it.
      bool counted = open ? intended >= window_start_
                          : (now >= window_start_ && (options_.max_calls > 0 || now <= stop_at_));
      if (counted) Count(status, absl::ToDoubleMilliseconds(now - intended), "");
      last_end_ = std::max(last_end_, now);
      if (!open && nesting >= kMaxNesting) {
        ++restarts_;  // in_flight_ stays claimed until the driving thread starts the next
        return;
      }
      // The next call is claimed under the same lock that lets go of this
      // one: once in_flight_ reaches 0 the driving thread may return and
      // destroy this run, so nothing of it may be touched after that.
      again = !open && MayStartAnother();
      if (again) ++started_;
      else --in_flight_;
    }
    if (again) {
      ++nesting;
      Start(absl::Now());
      --nesting;
    }
  }

  void Count(const grpc::Status& status, double latency_ms, const char* code) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++result_.calls;
    if (*code != '\0') {
      ++result_.errors[code];
      return;
    }
    if (status.ok()) ++result_.ok;
    else ++result_.errors[absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))];
    result_.latencies_ms.push_back(latency_ms);
  }

  LoadResult Finish(absl::Time begin) {
    absl::MutexLock lock(&mu_);
    LoadResult result = std::move(result_);
    if (options_.max_calls > 0) {
      result.seconds = absl::ToDoubleSeconds(last_end_ - begin);
    } else {
      result.seconds = absl::ToDoubleSeconds(options_.duration);
    }
    std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
    return result;
  }

  const LoadOptions options_;
  const IssueCall& issue_;
  absl::Time window_start_;
  absl::Time stop_at_;
  absl::Mutex mu_;
  absl::Time last_end_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int restarts_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t started_ ABSL_GUARDED_BY(mu_) = 0;
  LoadResult result_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

LoadResult RunLoad(const LoadOptions& options, const IssueCall& issue) {
  LoadRun run(options, issue);
  return options.rate > 0 ? run.Open() : run.Closed();
}

}  // namespace hartslag::bench
