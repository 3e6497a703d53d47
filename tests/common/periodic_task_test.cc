// PeriodicTask runs its function again after each wait the function asks
// for, wakes early when woken (also when woken while running), and stops at
// once when destroyed, however long its wait.
#include "services/common/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/time/clock.h"

namespace hartslag {
namespace {

// Waits (at most 10 s) until `done` holds.
template <typename Done>
bool Eventually(Done done) {
  for (absl::Time give_up = absl::Now() + absl::Seconds(10); absl::Now() < give_up;) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return done();
}

TEST(PeriodicTaskTest, RunsAgainAfterTheWaitItsFunctionReturns) {
  std::atomic<int> runs{0};
  PeriodicTask task(absl::ZeroDuration(), [&] {
    ++runs;
    return absl::Milliseconds(10);
  });
  EXPECT_TRUE(Eventually([&] { return runs >= 3; }));
}

TEST(PeriodicTaskTest, FirstRunWaitsForTheFirstWait) {
  std::atomic<int> runs{0};
  {
    PeriodicTask task(absl::Hours(1), [&] {
      ++runs;
      return absl::Hours(1);
    });
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(runs, 0);
}

TEST(PeriodicTaskTest, WakeCutsALongWaitShort) {
  std::atomic<int> runs{0};
  PeriodicTask task(absl::Hours(1), [&] {
    ++runs;
    return absl::Hours(1);
  });
  task.Wake();
  EXPECT_TRUE(Eventually([&] { return runs == 1; }));
  task.Wake();
  EXPECT_TRUE(Eventually([&] { return runs == 2; }));
}

TEST(PeriodicTaskTest, AWakeWhileRunningIsNotLost) {
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  PeriodicTask task(absl::ZeroDuration(), [&] {
    if (++runs == 1) {
      started = true;
      while (!release) absl::SleepFor(absl::Milliseconds(1));
    }
    return absl::Hours(1);
  });
  ASSERT_TRUE(Eventually([&] { return started.load(); }));
  task.Wake();  // during the first run
  release = true;
  EXPECT_TRUE(Eventually([&] { return runs == 2; })) << "the wake-up runs it once more, without the hour's wait";
}

TEST(PeriodicTaskTest, DestructionEndsALongWaitPromptly) {
  std::atomic<int> runs{0};
  absl::Time start = absl::Now();
  {
    PeriodicTask task(absl::ZeroDuration(), [&] {
      ++runs;
      return absl::InfiniteDuration();
    });
    ASSERT_TRUE(Eventually([&] { return runs == 1; }));
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(runs, 1);
}

TEST(PeriodicTaskTest, DestructionWaitsForARunInProgress) {
  std::atomic<bool> running{false}, finished{false};
  {
    PeriodicTask task(absl::ZeroDuration(), [&] {
      running = true;
      absl::SleepFor(absl::Milliseconds(200));
      finished = true;
      return absl::Hours(1);
    });
    ASSERT_TRUE(Eventually([&] { return running.load(); }));
  }
  EXPECT_TRUE(finished) << "the run was finished, not cut off, before the task was gone";
}

}  // namespace
}  // namespace hartslag
