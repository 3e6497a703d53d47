// The order of this process's appends to a log: which index each can expect
// its first entry at, and that they take the log's lock in turn.
#include "services/audit/append_order.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"

namespace hartslag::audit {
namespace {

TEST(AppendOrderTest, NothingIsExpectedUntilAnAppendCommits) {
  AppendOrder order;
  auto first = order.Enter("heerlen", 10);
  EXPECT_EQ(first->expected_size(), std::nullopt);
  first->Committed(110);
  first.reset();
  EXPECT_EQ(order.Enter("heerlen", 5)->expected_size(), 110u);
  EXPECT_EQ(order.Enter("maastricht", 5)->expected_size(), std::nullopt) << "each log has its own";
}

TEST(AppendOrderTest, AnAppendExpectsTheEndOfTheAppendsAheadOfIt) {
  AppendOrder order;
  order.Enter("heerlen", 10)->Committed(100);
  auto a = order.Enter("heerlen", 10);
  auto b = order.Enter("heerlen", 5);
  auto c = order.Enter("heerlen", 1);
  EXPECT_EQ(a->expected_size(), 100u);
  EXPECT_EQ(b->expected_size(), 110u);
  EXPECT_EQ(c->expected_size(), 115u);
}

TEST(AppendOrderTest, AFailedAppendLeavesTheNextToLearnTheSizeAgain) {
  AppendOrder order;
  order.Enter("heerlen", 10)->Committed(100);
  auto failed = order.Enter("heerlen", 10);
  auto behind = order.Enter("heerlen", 5);  // expects 110, which will not be
  failed.reset();
  EXPECT_EQ(order.Enter("heerlen", 3)->expected_size(), std::nullopt);
  // The one behind finds 100 under the lock, is made again and commits:
  // from then on the end is known again, after the appends still under way.
  auto again = order.Enter("heerlen", 5);
  auto later = order.Enter("heerlen", 2);
  behind.reset();
  again->Committed(105);
  again.reset();
  EXPECT_EQ(order.Enter("heerlen", 1)->expected_size(), 107u) << "105, and the 2 of the append under way";
}

TEST(AppendOrderTest, AppendsTakeTheirTurnsInTheOrderTheyEntered) {
  AppendOrder order;
  auto first = order.Enter("heerlen", 1);
  auto second = order.Enter("heerlen", 1);
  std::mutex mutex;
  std::vector<std::string> events;
  std::thread waiting([&] {
    EXPECT_TRUE(second->WaitTurn(absl::InfiniteFuture()));
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back("second's turn");
  });
  // Time for a turn that came too early to show.
  absl::SleepFor(absl::Milliseconds(50));
  {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back("first left");
  }
  first.reset();
  waiting.join();
  EXPECT_EQ(events, (std::vector<std::string>{"first left", "second's turn"}));
}

// One slow append must not hold up the log: an append whose turn does not
// come in time passes the ones ahead, which are then late, and nobody
// expects a size again until a commit after the late ones tells it.
TEST(AppendOrderTest, AnAppendWhoseTurnDoesNotComePassesTheLateOnes) {
  AppendOrder order;
  order.Enter("heerlen", 1)->Committed(1);
  auto slow = order.Enter("heerlen", 1);
  auto second = order.Enter("heerlen", 1);
  EXPECT_EQ(second->expected_size(), 2u);
  EXPECT_FALSE(second->WaitTurn(absl::Now() + absl::Milliseconds(10))) << "slow is still ahead";
  second.reset();
  auto third = order.Enter("heerlen", 1);
  EXPECT_EQ(third->expected_size(), std::nullopt) << "what slow will have written is unknown";
  EXPECT_TRUE(third->WaitTurn(absl::Now())) << "slow was passed, second has left";
  slow->Committed(2);
  slow.reset();
  third->Committed(3);
  third.reset();
  // third entered before slow left: whether it committed after slow cannot
  // be told here, so only an append entered since tells the size.
  auto fourth = order.Enter("heerlen", 1);
  EXPECT_EQ(fourth->expected_size(), std::nullopt);
  fourth->Committed(4);
  fourth.reset();
  EXPECT_EQ(order.Enter("heerlen", 1)->expected_size(), 4u);
}

}  // namespace
}  // namespace hartslag::audit
