// What keeps a service's queues and streams bounded: the worker pool refuses
// calls past its queue instead of growing, the doorbell wakes idle streams
// without a change to read when its probe says nothing moved, and an
// organisation's streams are counted.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "services/common/feed.h"
#include "services/common/server.h"

namespace hartslag {
namespace {

TEST(WorkerPoolTest, RefusesWorkPastItsQueueAndRunsWhatItTook) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran = 0;
  {
    WorkerPool pool(1, /*max_queued=*/2);
    std::promise<void> started;
    ASSERT_TRUE(pool.TryPost([&] {
      started.set_value();
      released.wait();
      ++ran;
    }));
    started.get_future().wait();  // the only worker is busy
    EXPECT_TRUE(pool.TryPost([&] { ++ran; }));
    EXPECT_TRUE(pool.TryPost([&] { ++ran; }));
    EXPECT_FALSE(pool.TryPost([&] { ++ran; })) << "a third waiting call is refused";
    release.set_value();
  }
  EXPECT_EQ(ran, 3);
}

class CountingListener : public Doorbell::Listener {
 public:
  void Wake() override { ++woken; }
  std::atomic<int> woken = 0;
};

TEST(DoorbellTest, APollThatFindsNothingWakesStreamsWithoutAChange) {
  std::atomic<int64_t> version = 7;
  std::atomic<int> probes = 0;
  Doorbell bell(absl::Milliseconds(20), [&]() -> absl::StatusOr<int64_t> {
    ++probes;
    return version.load();
  });
  auto listener = std::make_shared<CountingListener>();
  absl::SleepFor(absl::Milliseconds(100));  // the first probe sets the baseline
  uint64_t changes = bell.changes();
  while (!bell.Await(listener, bell.rings())) {
  }  // a tick between reading rings() and waiting: read again
  for (absl::Time give_up = absl::Now() + absl::Seconds(5); listener->woken == 0 && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(listener->woken, 1) << "woken by the tick (to notice an expired token)";
  EXPECT_EQ(bell.changes(), changes) << "but nothing changed: nothing to read";

  version = 8;  // another instance committed
  for (absl::Time give_up = absl::Now() + absl::Seconds(5); bell.changes() == changes && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(bell.changes(), changes + 1) << "the probe saw the feed move: one change";
  bell.Ring();
  EXPECT_EQ(bell.changes(), changes + 2) << "a local commit is a change too";
  EXPECT_GT(probes, 2);
}

TEST(StreamLimitTest, CountsOpenStreamsPerKeyAndGivesBackOnClose) {
  StreamLimit limit(2);
  auto a = limit.Acquire("heerlen/politie");
  auto b = limit.Acquire("heerlen/politie");
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = limit.Acquire("heerlen/politie");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(limit.Acquire("heerlen/buurtteam").ok()) << "another organisation has its own count";
  a->reset();
  EXPECT_EQ(limit.open("heerlen/politie"), 1);
  EXPECT_TRUE(limit.Acquire("heerlen/politie").ok());
}

}  // namespace
}  // namespace hartslag
