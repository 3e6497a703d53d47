// ExactlyOnce's memory against a real PostgreSQL: ForgetOldAnswers deletes
// the answers older than a week, in batches until none is left, and keeps
// the younger ones.
#include "services/common/exactly_once.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/migrations.h"
#include "services/directory/directory_store.h"
#include "tests/support/test_database.h"

namespace hartslag {
namespace {

class ForgetOldAnswersTest : public ::testing::Test {
 protected:
  ForgetOldAnswersTest() : pool_(*db::Pool::Open(db_.conninfo(), 4)) {
    EXPECT_TRUE(db::ApplyMigrations(*pool_, directory::kSchema, DirectoryMigrations()).ok());
  }

  // An answer remembered `age` ago.
  void Remember(const std::string& request_id, absl::Duration age) {
    ASSERT_TRUE(pool_->Query("INSERT INTO directory.requests (tenant_id, caller, rpc, request_id, fingerprint,"
                             " response, created_at) VALUES ('heerlen', 'admin', 'CreateArea', $1, 'f', ''::bytea,"
                             " now() - $2::interval)",
                             {request_id, absl::StrCat(absl::ToInt64Seconds(age), " seconds")})
                    .ok());
  }

  int64_t Remembered() {
    auto rows = pool_->Query("SELECT count(*) AS n FROM directory.requests");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? rows->Int(0, "n") : -1;
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
};

TEST_F(ForgetOldAnswersTest, ForgetsWhatIsOlderThanAWeekInBatchesAndKeepsTheRest) {
  for (int i = 0; i < 5; ++i) Remember(absl::StrCat("old-", i), kRequestMemory + absl::Hours(1));
  Remember("young", kRequestMemory - absl::Hours(1));
  {
    // Batches of 2: the third and last batch comes at once, not an hour later.
    std::unique_ptr<PeriodicTask> forgetting = ForgetOldAnswers(pool_.get(), directory::kSchema, absl::Hours(1), 2);
    for (absl::Time give_up = absl::Now() + absl::Seconds(10); Remembered() > 1 && absl::Now() < give_up;) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  EXPECT_EQ(Remembered(), 1);
  auto young = pool_->Query("SELECT request_id FROM directory.requests");
  ASSERT_TRUE(young.ok());
  EXPECT_EQ(young->Text(0, "request_id"), "young");
}

}  // namespace
}  // namespace hartslag
