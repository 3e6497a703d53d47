// The database layer against a real PostgreSQL: a prepared statement is
// prepared once per session, kept across transactions (also one that failed
// after preparing it), and prepared again on the new session after the old
// one was lost.
#include "services/common/db.h"

#include <gtest/gtest.h>

#include "tests/support/test_database.h"

namespace hartslag {
namespace {

constexpr db::Prepared kAddOne{"db_test_add_one", "SELECT $1::int + 1 AS n, pg_backend_pid() AS pid"};
constexpr db::Prepared kDouble{"db_test_double", "SELECT $1::int * 2 AS n"};

class DbTest : public ::testing::Test {
 protected:
  DbTest() : pool_(*db::Pool::Open(db_.conninfo(), 1)) {}

  // Runs kAddOne in a transaction of its own; returns the session's pid.
  int64_t AddOne(int value) {
    int64_t pid = -1;
    absl::Status ran = pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
      auto rows = tx.Query(kAddOne, {std::to_string(value)});
      if (!rows.ok()) return rows.status();
      EXPECT_EQ(rows->Int(0, "n"), value + 1);
      pid = rows->Int(0, "pid");
      return absl::OkStatus();
    });
    EXPECT_TRUE(ran.ok()) << ran;
    return pid;
  }

  int64_t PreparedInSession() {
    auto rows = pool_->Query("SELECT count(*) AS n FROM pg_prepared_statements WHERE name LIKE 'db\\_test\\_%'");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? rows->Int(0, "n") : -1;
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
};

TEST_F(DbTest, APreparedStatementIsPreparedOncePerSessionAndAgainAfterTheSessionIsLost) {
  const int64_t pid = AddOne(1);
  EXPECT_EQ(AddOne(2), pid) << "one connection in the pool";
  EXPECT_EQ(PreparedInSession(), 1);

  // A statement first prepared in a transaction that then fails stays
  // prepared: the session has it, and the pool knows.
  absl::Status failed = pool_->InTransaction([](db::Transaction& tx) -> absl::Status {
    if (auto rows = tx.Query(kDouble, {"21"}); !rows.ok()) return rows.status();
    return tx.Exec("SELECT 1 / 0");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kInvalidArgument) << failed;
  auto doubled = pool_->Query("SELECT 1 AS one");  // the session is usable again
  ASSERT_TRUE(doubled.ok()) << doubled.status();
  absl::Status again = pool_->InTransaction([](db::Transaction& tx) -> absl::Status {
    auto rows = tx.Query(kDouble, {"21"});
    if (!rows.ok()) return rows.status();
    EXPECT_EQ(rows->Int(0, "n"), 42);
    return absl::OkStatus();
  });
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(AddOne(3), pid);
  EXPECT_EQ(PreparedInSession(), 2);

  // The session ends under the pool's feet: the next transaction after the
  // loss runs on a new session, where the statement is prepared again.
  ASSERT_TRUE(db::ExecuteOnce(db_.conninfo(), "SELECT pg_terminate_backend(" + std::to_string(pid) + ")").ok());
  absl::Status lost = pool_->InTransaction([](db::Transaction& tx) { return tx.Query(kAddOne, {"0"}).status(); });
  EXPECT_EQ(lost.code(), absl::StatusCode::kUnavailable) << lost;
  const int64_t new_pid = AddOne(4);
  EXPECT_NE(new_pid, pid);
  EXPECT_EQ(PreparedInSession(), 1) << "only what the new session ran";
}

}  // namespace
}  // namespace hartslag
