// Migrations are applied in number order, once, under a lock; malformed,
// duplicate, missing and edited migrations are refused.
#include "services/common/migrations.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_database.h"

namespace hartslag::db {
namespace {

TEST(OrderMigrationsTest, SortsByNumberWhateverTheInputOrder) {
  auto ordered = OrderMigrations({{"0003_c.sql", "c"}, {"0001_a.sql", "a"}, {"0002_b.sql", "b"}});
  ASSERT_TRUE(ordered.ok()) << ordered.status();
  ASSERT_EQ(ordered->size(), 3u);
  EXPECT_EQ((*ordered)[0].version, 1);
  EXPECT_EQ((*ordered)[0].name, "a");
  EXPECT_EQ((*ordered)[1].version, 2);
  EXPECT_EQ((*ordered)[2].version, 3);
  EXPECT_EQ((*ordered)[2].sql, "c");
}

TEST(OrderMigrationsTest, RefusesMalformedNames) {
  for (const char* name : {"1_a.sql", "0001-a.sql", "0001_a.txt", "0001_A.sql", "abcd_a.sql"}) {
    auto ordered = OrderMigrations({{name, "x"}});
    EXPECT_EQ(ordered.status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

TEST(OrderMigrationsTest, RefusesDuplicateNumbers) {
  auto ordered = OrderMigrations({{"0001_a.sql", "a"}, {"0001_b.sql", "b"}});
  ASSERT_FALSE(ordered.ok());
  EXPECT_NE(ordered.status().message().find("used twice"), absl::string_view::npos);
}

TEST(OrderMigrationsTest, RefusesGaps) {
  auto ordered = OrderMigrations({{"0001_a.sql", "a"}, {"0003_c.sql", "c"}});
  ASSERT_FALSE(ordered.ok());
  EXPECT_NE(ordered.status().message().find("number 2 is missing"), absl::string_view::npos);
}

class ApplyMigrationsTest : public ::testing::Test {
 protected:
  ApplyMigrationsTest() : pool_(*Pool::Open(db_.conninfo(), 4)) {}

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(pool_->InTransaction([&](Transaction& tx) -> absl::Status {
      auto rows = tx.Query(sql);
      if (!rows.ok()) return rows.status();
      n = rows->Int(0, "n");
      return absl::OkStatus();
    }).ok());
    return n;
  }

  testing::TestDatabase db_;
  std::unique_ptr<Pool> pool_;
};

const std::vector<Migration> kTwo = {
    {"0001_things.sql", "CREATE TABLE demo.things (id int PRIMARY KEY);"},
    {"0002_seed.sql", "INSERT INTO demo.things VALUES (1); INSERT INTO demo.things VALUES (2);"},
};

TEST_F(ApplyMigrationsTest, AppliesEachMigrationOnce) {
  EXPECT_EQ(*ApplyMigrations(*pool_, "demo", kTwo), 2);
  EXPECT_EQ(*ApplyMigrations(*pool_, "demo", kTwo), 0);
  EXPECT_EQ(Count("SELECT count(*) AS n FROM demo.things"), 2);
  EXPECT_EQ(Count("SELECT count(*) AS n FROM demo.schema_migrations"), 2);
}

TEST_F(ApplyMigrationsTest, AppliesOnlyNewMigrationsLater) {
  ASSERT_EQ(*ApplyMigrations(*pool_, "demo", {kTwo[0]}), 1);
  EXPECT_EQ(*ApplyMigrations(*pool_, "demo", kTwo), 1);
  EXPECT_EQ(Count("SELECT count(*) AS n FROM demo.things"), 2);
}

TEST_F(ApplyMigrationsTest, ConcurrentStartsApplyOnce) {
  std::vector<std::thread> starts;
  std::atomic<int> applied{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < 4; ++i) {
    starts.emplace_back([&] {
      auto n = ApplyMigrations(*pool_, "demo", kTwo);
      if (n.ok()) applied += *n; else ++failed;
    });
  }
  for (auto& t : starts) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(applied.load(), 2);
  EXPECT_EQ(Count("SELECT count(*) AS n FROM demo.things"), 2);
}

TEST_F(ApplyMigrationsTest, EditedMigrationIsRefused) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "demo", kTwo).ok());
  std::vector<Migration> edited = kTwo;
  edited[1].sql = "INSERT INTO demo.things VALUES (3);";
  auto result = ApplyMigrations(*pool_, "demo", edited);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ApplyMigrationsTest, FailingMigrationLeavesNothingBehind) {
  std::vector<Migration> broken = kTwo;
  broken.push_back({"0003_broken.sql", "INSERT INTO demo.things VALUES (1);"});  // duplicate key
  EXPECT_FALSE(ApplyMigrations(*pool_, "demo", broken).ok());
  EXPECT_EQ(Count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'demo'"), 0);
}

TEST_F(ApplyMigrationsTest, DatabaseNewerThanBinaryIsRefused) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "demo", kTwo).ok());
  auto result = ApplyMigrations(*pool_, "demo", {kTwo[0]});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ApplyMigrationsTest, CheckingAnUnmigratedSchemaNamesTheFirstMissingMigrationAndChangesNothing) {
  absl::Status check = CheckMigrations(*pool_, "demo", kTwo);
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(check.message().find("lacks migration 1_things"), absl::string_view::npos) << check;
  EXPECT_NE(check.message().find("migrate"), absl::string_view::npos) << check;
  EXPECT_EQ(Count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'demo'"), 0);
}

TEST_F(ApplyMigrationsTest, CheckingPassesOnlyWhenEveryMigrationIsAppliedAsItIs) {
  ASSERT_TRUE(ApplyMigrations(*pool_, "demo", {kTwo[0]}).ok());
  absl::Status behind = CheckMigrations(*pool_, "demo", kTwo);
  EXPECT_NE(behind.message().find("lacks migration 2_seed"), absl::string_view::npos) << behind;

  ASSERT_TRUE(ApplyMigrations(*pool_, "demo", kTwo).ok());
  EXPECT_TRUE(CheckMigrations(*pool_, "demo", kTwo).ok());

  std::vector<Migration> edited = kTwo;
  edited[1].sql = "INSERT INTO demo.things VALUES (3);";
  EXPECT_EQ(CheckMigrations(*pool_, "demo", edited).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckMigrations(*pool_, "demo", {kTwo[0]}).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hartslag::db
