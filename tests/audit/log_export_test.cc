// Offline verification of an exported audit log: an intact log verifies; an
// edited, deleted or reordered entry is named by its index; a tree head that
// does not vouch for the log is refused.
#include "libs/audit_verify/log_export.h"

#include <gtest/gtest.h>

#include <sstream>

#include "libs/audit_verify/merkle.h"
#include "services/common/token.h"
#include "tests/support/test_keys.h"

namespace hartslag::audit {
namespace {

class LogExportTest : public ::testing::Test {
 protected:
  LogExportTest()
      : keys_(testing::NewEd25519KeyPair()),
        private_key_(*ParseEd25519Pem(keys_.private_pem, true)),
        public_key_(*ParseEd25519Pem(keys_.public_pem, false)) {
    for (int i = 0; i < 25; ++i) {
      entries_.push_back("event " + std::to_string(i));
      tree_.Append(LeafHash(entries_.back()));
      lines_.push_back(ExportLine(i, entries_.back(), LeafHash(entries_.back())));
    }
    head_ = *SignTreeHead(25, *tree_.Root(25), absl::Now(), private_key_.get());
  }

  absl::StatusOr<VerifiedLog> Verify(const std::vector<std::string>& lines,
                                     std::optional<TreeHead> head) {
    std::stringstream text;
    for (const auto& line : lines) text << line << "\n";
    return VerifyExportedLog(text, head, public_key_.get());
  }

  static void ExpectBadEntry(const absl::StatusOr<VerifiedLog>& result, uint64_t index) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    std::string prefix = "entry " + std::to_string(index) + ":";
    EXPECT_EQ(result.status().message().substr(0, prefix.size()), prefix) << result.status();
  }

  testing::KeyPair keys_;
  KeyPtr private_key_, public_key_;
  std::vector<std::string> entries_;
  std::vector<std::string> lines_;
  MerkleTree tree_;
  TreeHead head_;
};

TEST_F(LogExportTest, IntactLogVerifiesAgainstItsTreeHead) {
  auto verified = Verify(lines_, head_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->tree_size, 25u);
  EXPECT_EQ(verified->root_hash, *tree_.Root(25));
}

TEST_F(LogExportTest, LogLongerThanTheTreeHeadVerifiesItsPrefix) {
  TreeHead older = *SignTreeHead(10, *tree_.Root(10), absl::Now(), private_key_.get());
  EXPECT_TRUE(Verify(lines_, older).ok());
}

TEST_F(LogExportTest, EditedEntryIsNamed) {
  lines_[7] = ExportLine(7, "event 7, edited", LeafHash(entries_[7]));
  ExpectBadEntry(Verify(lines_, std::nullopt), 7);
}

TEST_F(LogExportTest, DeletedEntryIsNamed) {
  lines_.erase(lines_.begin() + 12);
  ExpectBadEntry(Verify(lines_, head_), 12);
}

TEST_F(LogExportTest, ReorderedEntriesAreNamed) {
  std::swap(lines_[3], lines_[4]);
  ExpectBadEntry(Verify(lines_, head_), 3);
}

TEST_F(LogExportTest, EntryEditedTogetherWithItsRecordedHashFailsTheTreeHead) {
  std::string forged = "event 7, edited";
  lines_[7] = ExportLine(7, forged, LeafHash(forged));
  EXPECT_TRUE(Verify(lines_, std::nullopt).ok()) << "without a tree head nothing vouches for it";
  auto result = Verify(lines_, head_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message().substr(0, 10), "tree head:");
}

TEST_F(LogExportTest, TreeHeadWithAForgedSignatureIsRefused) {
  TreeHead forged = head_;
  forged.tree_size = 24;
  forged.root_hash = *tree_.Root(24);
  auto result = Verify(lines_, forged);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("signature"), absl::string_view::npos);
}

TEST_F(LogExportTest, TreeHeadOfAnotherKeyIsRefused) {
  testing::KeyPair other = testing::NewEd25519KeyPair();
  KeyPtr other_key = *ParseEd25519Pem(other.private_pem, true);
  TreeHead head = *SignTreeHead(25, *tree_.Root(25), absl::Now(), other_key.get());
  EXPECT_FALSE(Verify(lines_, head).ok());
}

TEST_F(LogExportTest, TreeHeadForMoreEntriesThanExportedIsRefused) {
  lines_.pop_back();
  auto result = Verify(lines_, head_);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("vouches for 25 entries"), absl::string_view::npos);
}

TEST_F(LogExportTest, TreeHeadSurvivesItsJsonForm) {
  auto parsed = TreeHeadFromJson(TreeHeadToJson(head_));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(VerifyTreeHead(*parsed, public_key_.get()).ok());
  EXPECT_FALSE(TreeHeadFromJson(R"({"tree_size": -1})").ok());
}

TEST_F(LogExportTest, EmptyLogHasTheEmptyRoot) {
  auto verified = Verify({}, std::nullopt);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->tree_size, 0u);
  EXPECT_EQ(verified->root_hash, EmptyTreeHash());
}

}  // namespace
}  // namespace hartslag::audit
