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

TEST(AppendOrderTest, ATurnThatDoesNotComeInTimeIsTakenAnyway) {
  AppendOrder order;
  auto first = order.Enter("heerlen", 1);
  auto second = order.Enter("heerlen", 1);
  EXPECT_FALSE(second->WaitTurn(absl::Now() + absl::Milliseconds(10))) << "first is still ahead";
  second.reset();  // leaves before first
  auto third = order.Enter("heerlen", 1);
  EXPECT_FALSE(third->WaitTurn(absl::Now()));
  first.reset();
  EXPECT_TRUE(third->WaitTurn(absl::Now() + absl::Seconds(10))) << "both ahead have left";
}

}  // namespace
}  // namespace hartslag::audit
