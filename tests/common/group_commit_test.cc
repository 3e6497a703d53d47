// Group commit: callers that arrive while a batch runs share the next one,
// each gets its own item's answer, and a batch that fails fails each of its
// callers, never the process or the batches after it. Callers that do not
// wait are answered on the batch's thread, and only so many may queue.
#include "services/common/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hartslag {
namespace {

using Doubler = GroupCommit<int, int>;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

// Holds the first batch until Open(), so that callers queue behind it.
class Gate {
 public:
  void WaitOpen() {
    std::unique_lock<std::mutex> lock(mutex_);
    entered_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false;
  bool open_ = false;
};

std::vector<int> Doubled(const std::vector<const int*>& items) {
  std::vector<int> answers;
  for (const int* item : items) answers.push_back(*item * 2);
  return answers;
}

TEST(GroupCommitTest, EachCallerGetsTheAnswerToItsOwnItem) {
  Doubler group("test", [](const std::vector<const int*>& items, absl::Time) -> absl::StatusOr<std::vector<int>> {
    return Doubled(items);
  });
  std::vector<std::thread> callers;
  std::vector<int> answers(64, -1);
  for (int i = 0; i < 64; ++i) {
    callers.emplace_back([&, i] {
      absl::StatusOr<int> answer = group.Submit(i, Soon());
      answers[i] = answer.ok() ? *answer : -1;
    });
  }
  for (std::thread& t : callers) t.join();
  for (int i = 0; i < 64; ++i) EXPECT_EQ(answers[i], 2 * i) << "caller " << i;
}

TEST(GroupCommitTest, CallersThatArriveWhileABatchRunsShareTheNextUpToTheLargestBatch) {
  Gate gate;
  std::mutex mutex;
  std::vector<size_t> sizes;
  Doubler group(
      "test",
      [&](const std::vector<const int*>& items, absl::Time) -> absl::StatusOr<std::vector<int>> {
        bool first;
        {
          std::lock_guard<std::mutex> lock(mutex);
          first = sizes.empty();
          sizes.push_back(items.size());
        }
        if (first) gate.WaitOpen();
        return Doubled(items);
      },
      {.max_batch = 4, .committers = 1});
  std::thread first([&] { EXPECT_EQ(group.Submit(0, Soon()).value_or(-1), 0); });
  gate.WaitEntered();
  std::vector<std::thread> waiting;
  std::atomic<int> answered = 0;
  for (int i = 1; i <= 6; ++i) {
    waiting.emplace_back([&, i] {
      if (group.Submit(i, Soon()).value_or(-1) == 2 * i) ++answered;
    });
  }
  // Six callers queue behind the held batch before it ends.
  while (group.queued() < 6) absl::SleepFor(absl::Milliseconds(1));
  gate.Open();
  first.join();
  for (std::thread& t : waiting) t.join();
  EXPECT_EQ(answered, 6);
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 4, 2})) << "the callers that waited share batches of at most 4";
}

TEST(GroupCommitTest, ABatchThatFailsFailsEachOfItsCallersAndNotTheNextBatch) {
  std::atomic<int> batches = 0;
  Doubler group(
      "test",
      [&](const std::vector<const int*>& items, absl::Time) -> absl::StatusOr<std::vector<int>> {
        if (batches++ == 0) return absl::UnavailableError("the database went away");
        return Doubled(items);
      },
      {.max_batch = 128, .committers = 1});
  absl::StatusOr<int> failed = group.Submit(1, Soon());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(group.Submit(2, Soon()).value_or(-1), 4);
}

TEST(GroupCommitTest, ABatchThatThrowsOrAnswersTooFewIsAnErrorForItsCallers) {
  std::atomic<int> batches = 0;
  Doubler group(
      "test",
      [&](const std::vector<const int*>& items, absl::Time) -> absl::StatusOr<std::vector<int>> {
        switch (batches++) {
          case 0:
            throw std::runtime_error("a bug in a batch");
          case 1:
            return std::vector<int>{};
          default:
            return Doubled(items);
        }
      },
      {.max_batch = 128, .committers = 1});
  EXPECT_EQ(group.Submit(1, Soon()).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(group.Submit(1, Soon()).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(group.Submit(3, Soon()).value_or(-1), 6);
}

TEST(GroupCommitTest, ABatchRunsUntilTheLatestDeadlineOfItsCallersAndNoLongerThanTheLongestBatch) {
  absl::Time given;
  Doubler group("test", [&](const std::vector<const int*>& items, absl::Time deadline) -> absl::StatusOr<std::vector<int>> {
    given = deadline;
    return Doubled(items);
  });
  absl::Time near = absl::Now() + absl::Seconds(1);
  ASSERT_TRUE(group.Submit(1, near).ok());
  EXPECT_EQ(given, near);
  ASSERT_TRUE(group.Submit(1, absl::InfiniteFuture()).ok());
  EXPECT_LE(given, absl::Now() + Doubler::kLongestBatch);
}

TEST(GroupCommitTest, CallersThatDoNotWaitAreAnsweredOnTheBatchsThreadAndOnlySoManyQueue) {
  const int items[] = {1, 2, 3, 4, 9};
  std::mutex mutex;
  std::condition_variable answered_cv;
  std::vector<absl::StatusOr<int>> answers;
  std::vector<std::thread::id> threads;
  auto then = [&](absl::StatusOr<int> answer) {
    std::lock_guard<std::mutex> lock(mutex);
    answers.push_back(answer);
    threads.push_back(std::this_thread::get_id());
    answered_cv.notify_all();
  };
  auto await = [&](size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    return answered_cv.wait_for(lock, std::chrono::seconds(10), [&] { return answers.size() >= n; });
  };
  Gate gate;
  // Declared after what its answers touch: it answers what it holds when it goes.
  Doubler group(
      "test",
      [&](const std::vector<const int*>& items, absl::Time) -> absl::StatusOr<std::vector<int>> {
        if (*items.front() == 0) gate.WaitOpen();
        if (*items.front() == 9) return absl::UnavailableError("the database went away");
        return Doubled(items);
      },
      {.max_batch = 128, .committers = 1, .max_waiting = 3});
  std::thread first([&] { EXPECT_EQ(group.Submit(0, Soon()).value_or(-1), 0); });
  gate.WaitEntered();

  EXPECT_TRUE(group.SubmitThen(items[0], Soon(), then));
  EXPECT_TRUE(group.SubmitThen(items[1], Soon(), then));
  EXPECT_TRUE(group.SubmitThen(items[2], Soon(), then));
  EXPECT_FALSE(group.SubmitThen(items[3], Soon(), then)) << "a fourth caller that does not wait is refused";
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_TRUE(answers.empty()) << "nobody is answered before the batch holding their items has ended";
  }
  gate.Open();
  first.join();
  ASSERT_TRUE(await(3));
  {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<int> got;
    for (const absl::StatusOr<int>& a : answers) got.push_back(a.value_or(-1));
    EXPECT_EQ(got, (std::vector<int>{2, 4, 6}));
    for (std::thread::id id : threads) EXPECT_NE(id, std::this_thread::get_id()) << "answered by the committer";
  }
  EXPECT_TRUE(group.SubmitThen(items[4], Soon(), then)) << "the answered ones no longer count";
  ASSERT_TRUE(await(4));
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(answers.back().status().code(), absl::StatusCode::kUnavailable) << "a failed batch's error";
}

TEST(GroupCommitTest, AnAnswerMayQueueTheNextItem) {
  const int first = 1, second = 2;
  std::promise<int> last;
  Doubler group("test", [](const std::vector<const int*>& items, absl::Time) -> absl::StatusOr<std::vector<int>> {
    return Doubled(items);
  });
  // Answered outside the group's lock: queueing from the answer does not wait for it.
  ASSERT_TRUE(group.SubmitThen(first, Soon(), [&](absl::StatusOr<int>) {
    EXPECT_TRUE(group.SubmitThen(second, Soon(), [&](absl::StatusOr<int> a) { last.set_value(a.value_or(-1)); }));
  }));
  std::future<int> answered = last.get_future();
  ASSERT_EQ(answered.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(answered.get(), 4);
}

TEST(GroupCommitTest, AGroupThatStopsStoresAndAnswersTheCallersThatDidNotWait) {
  const int held = 0, queued = 5;
  std::atomic<int> answer = -1;
  Gate gate;
  // Opens the held batch once the group is being destroyed (most likely),
  // with an item still queued behind it; and whatever fails on the way.
  std::thread opener([&] {
    absl::SleepFor(absl::Milliseconds(300));
    gate.Open();
  });
  {
    Doubler group(
        "test",
        [&](const std::vector<const int*>& items, absl::Time) -> absl::StatusOr<std::vector<int>> {
          if (*items.front() == 0) gate.WaitOpen();
          return Doubled(items);
        },
        {.max_batch = 128, .committers = 1});
    EXPECT_TRUE(group.SubmitThen(held, Soon(), [](absl::StatusOr<int>) {}));
    gate.WaitEntered();
    EXPECT_TRUE(group.SubmitThen(queued, Soon(), [&](absl::StatusOr<int> a) { answer = a.value_or(-2); }));
    EXPECT_EQ(group.queued(), 1);
  }
  opener.join();
  EXPECT_EQ(answer, 10) << "stored and answered before the group is gone";
}

}  // namespace
}  // namespace hartslag
