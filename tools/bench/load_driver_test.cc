// What the load generator's driver promises: how many calls a closed loop
// starts, which calls it counts, and that it returns only after every call
// it started has ended, wherever the calls end.
#include "tools/bench/load_driver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace hartslag::bench {
namespace {

// Ends each call on a thread of its own after `delay`, as gRPC ends calls
// on its callback threads; joins them all when destroyed.
class ThreadedCalls {
 public:
  explicit ThreadedCalls(absl::Duration delay) : delay_(delay) {}
  ~ThreadedCalls() {
    absl::MutexLock lock(&mu_);
    for (auto& thread : threads_) thread.join();
  }

  IssueCall Issue() {
    return [this](CallDone done) {
      started_.fetch_add(1);
      absl::MutexLock lock(&mu_);
      threads_.emplace_back([this, done = std::move(done)] {
        absl::SleepFor(delay_);
        done(grpc::Status::OK);
        ended_.fetch_add(1);
      });
    };
  }

  int started() const { return started_.load(); }

 private:
  const absl::Duration delay_;
  std::atomic<int> started_{0};
  std::atomic<int> ended_{0};
  absl::Mutex mu_;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

TEST(LoadDriverTest, AClosedLoopWithACallLimitStartsExactlyThatManyCalls) {
  // Runs back to back, so that a run touched after it returned would
  // disturb the next one (it lives where the last one did).
  for (int run = 0; run < 200; ++run) {
    ThreadedCalls calls(absl::ZeroDuration());
    LoadOptions options;
    options.concurrency = 4;
    options.max_calls = 10;
    options.duration = absl::Seconds(30);
    LoadResult result = RunLoad(options, calls.Issue());
    ASSERT_EQ(result.calls, 10) << "run " << run;
    ASSERT_EQ(result.ok, 10) << "run " << run;
    ASSERT_EQ(calls.started(), 10) << "run " << run;
  }
}

TEST(LoadDriverTest, AClosedLoopCountsTheCallsEndingInItsWindowAndWaitsForTheRest) {
  for (int run = 0; run < 20; ++run) {
    ThreadedCalls calls(absl::Milliseconds(2));
    LoadOptions options;
    options.concurrency = 8;
    options.warmup = absl::Milliseconds(10);
    options.duration = absl::Milliseconds(30);
    LoadResult result = RunLoad(options, calls.Issue());
    // Started: those of the warm-up, the window and at most one round after it.
    EXPECT_GT(result.calls, 0);
    EXPECT_LE(result.calls, calls.started());
    EXPECT_EQ(static_cast<int64_t>(result.latencies_ms.size()), result.calls);
    EXPECT_TRUE(std::is_sorted(result.latencies_ms.begin(), result.latencies_ms.end()));
    EXPECT_GE(result.latencies_ms.front(), 1.9);
  }
}

TEST(LoadDriverTest, AnOpenLoopStartsCallsAtItsRateWhateverTheAnswersDo) {
  ThreadedCalls calls(absl::Milliseconds(50));  // far slower than the rate
  LoadOptions options;
  options.rate = 1000;
  options.concurrency = 1000;
  options.duration = absl::Milliseconds(100);
  LoadResult result = RunLoad(options, calls.Issue());
  EXPECT_EQ(calls.started(), 100);
  EXPECT_EQ(result.calls, 100);
  // Each latency counts from when the call was due, so none is below the
  // service's 50 ms.
  EXPECT_GE(result.latencies_ms.front(), 49.9);
}

TEST(LoadDriverTest, PercentileReadsTheSortedLatencies) {
  LoadResult result;
  for (int i = 1; i <= 100; ++i) result.latencies_ms.push_back(i);
  EXPECT_EQ(result.Percentile(0.5), 51);
  EXPECT_EQ(result.Percentile(0.99), 100);
  EXPECT_EQ(result.Percentile(1.0), 100);
  EXPECT_EQ(LoadResult().Percentile(0.99), 0);
}

}  // namespace
}  // namespace hartslag::bench
