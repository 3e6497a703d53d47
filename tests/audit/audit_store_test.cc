// The audit log in a real PostgreSQL: consecutive, idempotent appends whose
// stored subtree hashes give the RFC 6962 root; a table no role can change;
// and tampering by a superuser found, by index, in the exported log.
#include "services/audit/audit_store.h"

#include <gtest/gtest.h>

#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/audit/log_export.h"
#include "services/audit/merkle.h"
#include "services/common/crypto.h"
#include "tests/support/test_database.h"

namespace hartslag::audit {
namespace {

class AuditStoreTest : public ::testing::Test {
 protected:
  AuditStoreTest() : pool_(*db::Pool::Open(db_.conninfo(), 4)), store_(pool_.get()) {
    auto applied = db::ApplyMigrations(*pool_, kSchema, AuditMigrations());
    EXPECT_TRUE(applied.ok()) << applied.status();
  }

  std::vector<AuditEntry> Events(int from, int to) {
    std::vector<AuditEntry> events;
    for (int i = from; i < to; ++i) {
      events.push_back({absl::StrCat("00000000-0000-4000-8000-", std::string(12 - std::to_string(i).size(), '0'), i),
                        absl::StrCat("read signal SV-2026-", i)});
    }
    return events;
  }

  absl::Status Superuser(const std::string& sql) {
    // As a superuser with triggers off: what an attacker with full database
    // access can do, and what the log must reveal.
    return db::ExecuteOnce(db_.conninfo(),
                           absl::StrCat("SET session_replication_role = replica; ", sql));
  }

  absl::StatusOr<VerifiedLog> ExportAndVerify() {
    std::stringstream exported;
    EXPECT_TRUE(store_.Export("heerlen", exported).ok());
    return VerifyExportedLog(exported, std::nullopt, nullptr);
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  AuditStore store_;
};

TEST_F(AuditStoreTest, AppendsGetConsecutiveIndexesAndTheRfcRoot) {
  MerkleTree reference;
  for (const auto& e : Events(0, 70)) reference.Append(LeafHash(e.bytes));
  // In uneven batches, so subtrees complete across batch boundaries.
  EXPECT_EQ(*store_.Append("heerlen", Events(0, 1)), 1u);
  EXPECT_EQ(*store_.Append("heerlen", Events(1, 6)), 6u);
  EXPECT_EQ(*store_.Append("heerlen", Events(6, 70)), 70u);
  for (uint64_t size = 0; size <= 70; ++size) {
    EXPECT_EQ(*store_.Root("heerlen", size), *reference.Root(size)) << size;
  }
  EXPECT_EQ(store_.Root("heerlen", 71).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*store_.Size("maastricht"), 0u) << "logs are separate per tenant";
}

TEST_F(AuditStoreTest, AppendIsIdempotentByEventId) {
  ASSERT_EQ(*store_.Append("heerlen", Events(0, 10)), 10u);
  EXPECT_EQ(*store_.Append("heerlen", Events(5, 12)), 12u) << "5..9 were there, 10 and 11 are new";
  std::vector<AuditEntry> twice = Events(12, 13);
  twice.push_back(twice[0]);
  EXPECT_EQ(*store_.Append("heerlen", twice), 13u);
}

TEST_F(AuditStoreTest, NoRoleMayChangeOrRemoveEntries) {
  ASSERT_TRUE(store_.Append("heerlen", Events(0, 4)).ok());
  for (const char* sql : {"UPDATE audit.entries SET entry = 'x' WHERE idx = 1",
                          "DELETE FROM audit.entries WHERE idx = 1", "TRUNCATE audit.entries",
                          "UPDATE audit.nodes SET hash = 'x'", "DELETE FROM audit.nodes"}) {
    absl::Status status = db::ExecuteOnce(db_.conninfo(), sql);
    EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << sql;  // 42501, refused by the trigger
  }
  EXPECT_EQ(*store_.Size("heerlen"), 4u);
  EXPECT_TRUE(ExportAndVerify().ok());
}

TEST_F(AuditStoreTest, ExportedLogVerifiesToTheStoredRoot) {
  ASSERT_TRUE(store_.Append("heerlen", Events(0, 2500)).ok());
  auto verified = ExportAndVerify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->tree_size, 2500u);
  EXPECT_EQ(verified->root_hash, *store_.Root("heerlen", 2500));
}

void ExpectBadEntry(const absl::StatusOr<VerifiedLog>& result, int index) {
  ASSERT_FALSE(result.ok());
  std::string prefix = absl::StrCat("entry ", index, ":");
  EXPECT_EQ(result.status().message().substr(0, prefix.size()), prefix) << result.status();
}

TEST_F(AuditStoreTest, ChangedEntryIsFoundAtItsIndex) {
  ASSERT_TRUE(store_.Append("heerlen", Events(0, 30)).ok());
  ASSERT_TRUE(Superuser("UPDATE audit.entries SET entry = 'nothing happened' WHERE idx = 17").ok());
  ExpectBadEntry(ExportAndVerify(), 17);
}

TEST_F(AuditStoreTest, DeletedEntryIsFoundAtItsIndex) {
  ASSERT_TRUE(store_.Append("heerlen", Events(0, 30)).ok());
  ASSERT_TRUE(Superuser("DELETE FROM audit.entries WHERE idx = 9").ok());
  ExpectBadEntry(ExportAndVerify(), 9);
}

TEST_F(AuditStoreTest, ReorderedEntriesAreFoundAtTheFirstIndex) {
  ASSERT_TRUE(store_.Append("heerlen", Events(0, 30)).ok());
  ASSERT_TRUE(Superuser("UPDATE audit.entries e SET entry = o.entry FROM audit.entries o "
                        "WHERE o.log_id = e.log_id AND "
                        "((e.idx = 4 AND o.idx = 5) OR (e.idx = 5 AND o.idx = 4))").ok());
  ExpectBadEntry(ExportAndVerify(), 4);
}

}  // namespace
}  // namespace hartslag::audit
