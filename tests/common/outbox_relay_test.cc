// The outbox relay against a real PostgreSQL: events reach the receiver in
// outbox order, but for an event that commits after later ones were taken,
// which comes with a later batch; and a steady trickle of them travels in
// batches (after a batch that was not full the relay gathers for
// Options::gather, which the nudge of each new event does not cut short).
#include "services/common/outbox.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/crypto.h"
#include "services/common/request_bounds.h"
#include "services/common/status_macros.h"
#include "tests/support/test_database.h"

namespace hartslag {
namespace {

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest() : outbox_("relay_test") {
    auto pool = db::Pool::Open(db_.conninfo(), 2);
    EXPECT_TRUE(pool.ok()) << pool.status();
    if (pool.ok()) pool_ = *std::move(pool);
    EXPECT_TRUE(db::ExecuteOnce(db_.conninfo(), testing::OutboxSchemaSql("relay_test")).ok());
  }

  void Add(const std::string& payload) {
    absl::Status added = pool_->InTransaction([&](db::Transaction& tx) {
      outbox_.Add(tx, "receiver", {RandomUuid(), "heerlen", payload});
      return absl::OkStatus();
    });
    ASSERT_TRUE(added.ok()) << added;
  }

  // The batches the receiver got so far.
  std::vector<std::vector<std::string>> Batches() {
    std::lock_guard<std::mutex> lock(mutex_);
    return batches_;
  }

  // Waits (at most `limit`) until the receiver got `n` batches.
  bool WaitForBatches(size_t n, absl::Duration limit = absl::Seconds(20)) {
    for (absl::Time end = absl::Now() + limit; absl::Now() < end; absl::SleepFor(absl::Milliseconds(10))) {
      if (Batches().size() >= n) return true;
    }
    return false;
  }

  OutboxRelay::Deliver Receiver() {
    return [this](const std::vector<std::string>& payloads) -> absl::StatusOr<std::vector<OutboxRelay::Refusal>> {
      std::lock_guard<std::mutex> lock(mutex_);
      batches_.push_back(payloads);
      return std::vector<OutboxRelay::Refusal>{};
    };
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  Outbox outbox_;
  std::mutex mutex_;
  std::vector<std::vector<std::string>> batches_;
};

TEST_F(OutboxRelayTest, ATrickleOfEventsTravelsInBatchesNotOneByOne) {
  OutboxRelay::Options options;
  options.gather = absl::Seconds(5);
  options.idle_poll = absl::Seconds(30);  // only nudges and the gathering wake it
  OutboxRelay relay(pool_.get(), &outbox_, "receiver", Receiver(), options);
  relay.Start();

  Add("first");
  relay.Nudge();
  ASSERT_TRUE(WaitForBatches(1));
  EXPECT_EQ(Batches()[0], std::vector<std::string>{"first"});

  // The first batch was not full: the relay gathers, and the nudges of the
  // events that arrive meanwhile do not wake it.
  Add("second");
  relay.Nudge();
  Add("third");
  relay.Nudge();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Batches().size(), 1u) << "delivered before the gathering ended";

  ASSERT_TRUE(WaitForBatches(2)) << Batches().size() << " batches";
  EXPECT_EQ(Batches()[1], (std::vector<std::string>{"second", "third"})) << "one batch, in outbox order";
  // The relay deletes a batch in the transaction it read it in, once the
  // receiver answered.
  int64_t left = -1;
  for (absl::Time end = absl::Now() + absl::Seconds(10); left != 0 && absl::Now() < end;
       absl::SleepFor(absl::Milliseconds(10))) {
    auto rows = pool_->Query("SELECT count(*) AS n FROM relay_test.outbox");
    ASSERT_TRUE(rows.ok()) << rows.status();
    left = rows->Int(0, "n");
  }
  EXPECT_EQ(left, 0) << "delivered events leave the outbox";
}

TEST_F(OutboxRelayTest, ABatchCutByItsByteLimitIsFollowedAtOnce) {
  OutboxRelay::Options options;
  options.batch_bytes = 10;  // one 8-byte event a batch
  options.gather = absl::Seconds(30);
  options.idle_poll = absl::Seconds(30);
  for (const char* payload : {"event-01", "event-02", "event-03"}) Add(payload);
  OutboxRelay relay(pool_.get(), &outbox_, "receiver", Receiver(), options);
  relay.Start();
  // Each batch was full by its bytes: the relay goes on without gathering.
  ASSERT_TRUE(WaitForBatches(3, absl::Seconds(15))) << Batches().size() << " batches";
  EXPECT_EQ(Batches()[0], std::vector<std::string>{"event-01"});
  EXPECT_EQ(Batches()[2], std::vector<std::string>{"event-03"});
}

// Intake refuses a whole RecordCaseStates call for one state over its bound
// for one. Held to that bound, the relay sets such a state aside unsent,
// and the states on either side of it still arrive.
TEST_F(OutboxRelayTest, AnEventOverTheReceiversBoundIsSetAsideUnsentAndTheOthersArrive) {
  using intake::v1::RecordCaseStatesRequest;
  const google::protobuf::FieldDescriptor* states =
      RecordCaseStatesRequest::descriptor()->FindFieldByNumber(RecordCaseStatesRequest::kStatesFieldNumber);
  OutboxRelay::Options options = OutboxRelay::Options().WithinReceiverBounds(states);
  options.gather = absl::Seconds(30);
  ASSERT_LT(MaxBytes(states), OutboxRelay::Options().max_event_bytes) << "the receiver's bound is the tighter one";
  Add("before");
  Add(std::string(MaxBytes(states) + 1, 'x'));
  Add("after");
  OutboxRelay relay(pool_.get(), &outbox_, "receiver", Receiver(), options);
  relay.Start();
  ASSERT_TRUE(WaitForBatches(1));
  EXPECT_EQ(Batches()[0], (std::vector<std::string>{"before", "after"}));
  auto rows = pool_->Query("SELECT octet_length(payload) AS bytes, reason FROM relay_test.dead_letters");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1);
  EXPECT_EQ(rows->Int(0, "bytes"), MaxBytes(states) + 1);
  EXPECT_EQ(rows->Text(0, "reason"), absl::StrCat("larger than ", MaxBytes(states), " bytes"));
}

// Found by the look-up from the first event that follows a look-up after
// the last event taken that found nothing; the periodic sweep is off.
TEST_F(OutboxRelayTest, AnEventThatCommitsAfterALaterOneWasTakenIsDeliveredWhenNothingFollows) {
  OutboxRelay::Options options;
  options.gather = absl::Milliseconds(10);
  options.idle_poll = absl::Milliseconds(20);
  options.sweep = absl::InfiniteDuration();
  // "late" takes its seq first and commits after "early" was delivered, as
  // the two batches of a group commit can.
  auto other = db::Pool::Open(db_.conninfo(), 1);
  ASSERT_TRUE(other.ok()) << other.status();
  absl::Notification added, release;
  std::thread late([&] {
    absl::Status committed = (*other)->InTransaction([&](db::Transaction& tx) -> absl::Status {
      // Written here, not at the commit as Outbox::Add writes: the seq is taken now.
      RETURN_IF_ERROR(tx.Exec("INSERT INTO relay_test.outbox (target, tenant_id, event_id, payload)"
                              " VALUES ('receiver', 'heerlen', $1, 'late')",
                              {RandomUuid()}));
      added.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    });
    EXPECT_TRUE(committed.ok()) << committed;
  });
  OutboxRelay relay(pool_.get(), &outbox_, "receiver", Receiver(), options);
  const bool began = added.WaitForNotificationWithTimeout(absl::Seconds(20));
  if (began) {
    Add("early");
    relay.Start();
  }
  const bool early_delivered = began && WaitForBatches(1);
  release.Notify();
  late.join();
  ASSERT_TRUE(early_delivered);

  ASSERT_TRUE(WaitForBatches(2)) << "the late event was not delivered";
  EXPECT_EQ(Batches()[0], std::vector<std::string>{"early"});
  EXPECT_EQ(Batches()[1], std::vector<std::string>{"late"});
}

}  // namespace
}  // namespace hartslag
