// The audit log in a real PostgreSQL: consecutive, idempotent appends whose
// stored subtree hashes give the RFC 6962 root; a table no role can change;
// and tampering by a superuser found, by index, in the exported log.
#include "services/audit/audit_store.h"

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"

#include <atomic>
#include <functional>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/audit_verify/log_export.h"
#include "libs/audit_verify/merkle.h"
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

  std::vector<v1::AuditEvent> Events(int from, int to) {
    std::vector<v1::AuditEvent> events;
    for (int i = from; i < to; ++i) {
      v1::AuditEvent& e = events.emplace_back();
      e.set_event_id(absl::StrCat("00000000-0000-4000-8000-", std::string(12 - std::to_string(i).size(), '0'), i));
      e.set_tenant_id("heerlen");
      e.set_action(v1::ACTION_READ);
      e.mutable_object()->set_type("signal");
      e.mutable_object()->set_id(absl::StrCat("SV-2026-", i));
    }
    return events;
  }

  uint64_t AppendedSize(const std::vector<v1::AuditEvent>& events) {
    auto result = store_.Append("heerlen", events);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->size : 0;
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
  for (const auto& e : Events(0, 70)) reference.Append(LeafHash(EntryBytes(e)));
  // In uneven batches, so subtrees complete across batch boundaries.
  EXPECT_EQ(AppendedSize(Events(0, 1)), 1u);
  EXPECT_EQ(AppendedSize(Events(1, 6)), 6u);
  EXPECT_EQ(AppendedSize(Events(6, 70)), 70u);
  for (uint64_t size = 0; size <= 70; ++size) {
    EXPECT_EQ(*store_.Root("heerlen", size), *reference.Root(size)) << size;
  }
  EXPECT_EQ(store_.Root("heerlen", 71).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*store_.Size("maastricht"), 0u) << "logs are separate per tenant";
}

TEST_F(AuditStoreTest, ProofsFromStoredHashesVerify) {
  MerkleTree reference;
  for (const auto& e : Events(0, 40)) reference.Append(LeafHash(EntryBytes(e)));
  ASSERT_EQ(AppendedSize(Events(0, 13)), 13u);
  ASSERT_EQ(AppendedSize(Events(13, 40)), 40u);
  for (uint64_t size = 1; size <= 40; ++size) {
    std::string root = *reference.Root(size);
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = store_.InclusionProof("heerlen", index, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(proof->path, *reference.InclusionProof(index, size)) << index << "/" << size;
      EXPECT_TRUE(VerifyInclusion(LeafHash(proof->entry), index, size, proof->path, root));
    }
    for (uint64_t old_size = 1; old_size <= size; ++old_size) {
      auto proof = store_.ConsistencyProof("heerlen", old_size, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyConsistency(old_size, size, *reference.Root(old_size), root, *proof))
          << old_size << "->" << size;
    }
  }
  EXPECT_EQ(store_.InclusionProof("heerlen", 3, 41).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_.InclusionProof("heerlen", 40, 40).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AuditStoreTest, QueriesFilterNewestFirstAndRestrictionsHideFromTheOverview) {
  std::vector<v1::AuditEvent> events = Events(0, 6);
  for (int i = 0; i < 6; ++i) {
    events[i].mutable_actor()->set_organisation_id(i % 2 == 0 ? "politie" : "buurtteam");
    events[i].mutable_actor()->set_user_id(absl::StrCat("user-", i % 3));
    events[i].add_subjects(i < 4 ? "person:aa" : "person:bb");
  }
  ASSERT_EQ(AppendedSize(events), 6u);
  auto query = [](std::function<void(EventQuery&)> set) {
    EventQuery q;
    q.log_id = "heerlen";
    set(q);
    return q;
  };
  auto indexes = [&](const EventQuery& q) {
    std::vector<uint64_t> out;
    auto found = store_.Query(q, absl::InfiniteFuture());
    EXPECT_TRUE(found.ok()) << found.status();
    if (!found.ok()) return out;
    for (const StoredEntry& e : *found) out.push_back(e.index);
    return out;
  };
  EXPECT_EQ(indexes(query([](EventQuery& q) { q.log_id = "heerlen"; q.subject = "person:aa"; })),
            (std::vector<uint64_t>{3, 2, 1, 0}));
  EXPECT_EQ(indexes(query([](EventQuery& q) { q.log_id = "heerlen"; q.organisation_id = "politie"; })),
            (std::vector<uint64_t>{4, 2, 0}));
  EXPECT_EQ(indexes(query([](EventQuery& q) { q.log_id = "heerlen"; q.actor_user_id = "user-1"; })), (std::vector<uint64_t>{4, 1}));
  EXPECT_EQ(indexes(query([](EventQuery& q) { q.log_id = "heerlen"; q.subject = "person:aa"; q.before_index = 2; })),
            (std::vector<uint64_t>{1, 0}));
  EXPECT_TRUE(indexes(query([](EventQuery& q) { q.log_id = "maastricht"; q.subject = "person:aa"; })).empty());

  v1::Restriction restriction;
  restriction.set_subject("person:aa");
  restriction.set_organisation_id("politie");
  restriction.set_reason("lopend onderzoek");
  restriction.set_review_date("2027-03-01");
  restriction.set_created_by("privacy.officer");
  restriction.set_restriction_id(RandomUuid());
  AuditRecord unaudited;
  auto added = store_.AddRestriction("heerlen", restriction, unaudited);
  ASSERT_TRUE(added.ok()) << added.status();
  EventQuery overview = query([](EventQuery& q) {
    q.subject = "person:aa";
    q.apply_restrictions = true;
  });
  EXPECT_EQ(indexes(overview), (std::vector<uint64_t>{3, 1})) << "police accesses are held back";
  auto lifted = store_.LiftRestriction("heerlen", added->restriction_id(), "privacy.officer", unaudited);
  ASSERT_TRUE(lifted.ok()) << lifted.status();
  EXPECT_TRUE(lifted->has_lifted_at());
  EXPECT_EQ(indexes(overview), (std::vector<uint64_t>{3, 2, 1, 0}));
  EXPECT_EQ(store_.LiftRestriction("heerlen", added->restriction_id(), "x", unaudited).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_.LiftRestriction("maastricht", added->restriction_id(), "x", unaudited).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AuditStoreTest, AppendIsIdempotentByEventId) {
  ASSERT_EQ(AppendedSize(Events(0, 10)), 10u);
  EXPECT_EQ(AppendedSize(Events(5, 12)), 12u) << "5..9 were there, 10 and 11 are new";
  std::vector<v1::AuditEvent> twice = Events(12, 13);
  twice.push_back(twice[0]);
  EXPECT_EQ(AppendedSize(twice), 13u);
  // An event id in capitals is the same uuid: sent again, it is known.
  std::vector<v1::AuditEvent> shouted = Events(13, 14);
  shouted[0].set_event_id(absl::AsciiStrToUpper(shouted[0].event_id()));
  ASSERT_EQ(AppendedSize(shouted), 14u);
  shouted.push_back(Events(14, 15)[0]);
  EXPECT_EQ(AppendedSize(shouted), 15u) << "the capitalised id is skipped, the new one appended";
  // Each refused batch had written its search rows at the end it expected:
  // they went with it, and the entries appended after it have their own.
  EXPECT_GT(store_.append_counts().search_rows_before_lock, 0u);
  auto search_rows = pool_->Query("SELECT count(*) AS n, count(DISTINCT idx) AS distinct_n FROM audit.entry_search");
  ASSERT_TRUE(search_rows.ok()) << search_rows.status();
  EXPECT_EQ(search_rows->Int(0, "n"), 15);
  EXPECT_EQ(search_rows->Int(0, "distinct_n"), 15);
}

// Entries travel by COPY: its separators and escapes in a value must arrive
// as sent, and a subject an event names twice is one subject of its entry.
TEST_F(AuditStoreTest, ValuesWithCopySeparatorsAndRepeatedSubjectsAreStoredAsSent) {
  std::vector<v1::AuditEvent> events = Events(0, 3);
  const std::string odd = "a\tb\nc\\N\\d\r";
  events[1].mutable_object()->set_id(odd);
  events[1].mutable_actor()->set_user_id("user\\.N");
  events[1].add_subjects("person:cc");
  events[1].add_subjects("person:cc");
  events[2].set_detail(std::string("\0\t\n\\", 4));
  ASSERT_EQ(AppendedSize(events), 3u);

  EventQuery by_object;
  by_object.log_id = "heerlen";
  by_object.object_id = odd;
  auto found = store_.Query(by_object, absl::InfiniteFuture());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].bytes, EntryBytes(events[1]));
  EventQuery by_subject;
  by_subject.log_id = "heerlen";
  by_subject.subject = "person:cc";
  found = store_.Query(by_subject, absl::InfiniteFuture());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->size(), 1u);

  auto verified = ExportAndVerify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  MerkleTree reference;
  for (const auto& e : events) reference.Append(LeafHash(EntryBytes(e)));
  EXPECT_EQ(verified->root_hash, *reference.Root(3));
}

// A log as an older version of the store wrote it, then migrated.
class AuditStoreMigrationTest : public ::testing::Test {
 protected:
  // Applies audit's migrations whose files sort before `first_left_out`;
  // all of them without it.
  absl::Status Migrate(const std::string& first_left_out = "") {
    std::vector<db::Migration> migrations;
    for (const db::Migration& m : AuditMigrations()) {
      if (first_left_out.empty() || m.filename < first_left_out) migrations.push_back(m);
    }
    return db::ApplyMigrations(*pool_, kSchema, migrations).status();
  }

  testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_ = *db::Pool::Open(db_.conninfo(), 2);
};

// 0008 moved leaf hashes and subjects into the entry rows and stores only
// the upper tree levels: a log appended before it keeps its roots, proofs,
// subject search and export, and grows on.
TEST_F(AuditStoreMigrationTest, ALogAppendedBefore0008KeepsItsRootsProofsAndSubjects) {
  db::Pool* pool = pool_.get();
  ASSERT_TRUE(Migrate("0008").ok());
  // The log as the store wrote it before: entries, one row per subject, and
  // a node for every complete subtree at every level.
  std::vector<v1::AuditEvent> events;
  MerkleTree reference;
  std::vector<std::string> leaves;
  for (int i = 0; i < 37; ++i) {
    v1::AuditEvent& e = events.emplace_back();
    e.set_event_id(absl::StrCat("00000000-0000-4000-8000-", std::string(12 - std::to_string(i).size(), '0'), i));
    e.set_tenant_id("heerlen");
    e.set_action(v1::ACTION_READ);
    e.mutable_object()->set_type("signal");
    e.mutable_object()->set_id(absl::StrCat("SV-2026-", i));
    e.add_subjects(absl::StrCat("person:", i % 5));
    leaves.push_back(LeafHash(EntryBytes(e)));
    reference.Append(leaves.back());
    ASSERT_TRUE(pool->Query("INSERT INTO audit.entries (log_id, idx, event_id, entry, object_type, object_id, "
                            "action, outcome) VALUES ('heerlen', $1, $2::uuid, $3::bytea, 'signal', $4, "
                            "'ACTION_READ', 'OUTCOME_UNSPECIFIED')",
                            {absl::StrCat(i), e.event_id(), db::BytesParam(EntryBytes(e)), e.object().id()})
                    .ok());
    ASSERT_TRUE(pool->Query("INSERT INTO audit.entry_subjects (log_id, idx, subject) VALUES ('heerlen', $1, $2)",
                            {absl::StrCat(i), e.subjects(0)})
                    .ok());
  }
  for (int level = 0; (uint64_t{1} << level) <= leaves.size(); ++level) {
    for (uint64_t index = 0; (index + 1) << level <= leaves.size(); ++index) {
      MerkleTree subtree;
      for (uint64_t leaf = index << level; leaf < (index + 1) << level; ++leaf) subtree.Append(leaves[leaf]);
      ASSERT_TRUE(pool->Query("INSERT INTO audit.nodes (log_id, level, idx, hash) VALUES ('heerlen', $1, $2, $3::bytea)",
                              {absl::StrCat(level), absl::StrCat(index),
                               db::BytesParam(*subtree.Root(uint64_t{1} << level))})
                      .ok());
    }
  }
  ASSERT_TRUE(Migrate().ok());

  AuditStore store(pool);
  for (uint64_t size = 1; size <= 37; ++size) {
    EXPECT_EQ(*store.Root("heerlen", size), *reference.Root(size)) << size;
    for (uint64_t index = 0; index < size; index += 3) {
      auto proof = store.InclusionProof("heerlen", index, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(proof->path, *reference.InclusionProof(index, size)) << index << "/" << size;
    }
  }
  EventQuery by_subject;
  by_subject.log_id = "heerlen";
  by_subject.subject = "person:3";
  auto found = store.Query(by_subject, absl::InfiniteFuture());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->size(), 7u) << "entries 3, 8, ..., 33";
  EventQuery by_object;
  by_object.log_id = "heerlen";
  by_object.object_type = "signal";
  by_object.object_id = "SV-2026-12";
  found = store.Query(by_object, absl::InfiniteFuture());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].index, 12u);
  EXPECT_EQ((*found)[0].bytes, EntryBytes(events[12]));
  EXPECT_EQ(store.Append("heerlen", {events[4]})->size, 37u) << "known event ids stay known";

  std::vector<v1::AuditEvent> more = events;
  for (v1::AuditEvent& e : more) e.set_event_id(RandomUuid());
  ASSERT_EQ(store.Append("heerlen", more)->size, 74u);
  for (const v1::AuditEvent& e : more) reference.Append(LeafHash(EntryBytes(e)));
  for (uint64_t size = 30; size <= 74; ++size) EXPECT_EQ(*store.Root("heerlen", size), *reference.Root(size)) << size;
  std::stringstream exported;
  ASSERT_TRUE(store.Export("heerlen", exported).ok());
  auto verified = VerifyExportedLog(exported, std::nullopt, nullptr);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->root_hash, *reference.Root(74));
}

// Appends write their search rows before they take the log's lock, at the
// index they expect (append_order.h): whatever the interleaving, each entry
// is found by its search columns at its own index, once. More appenders
// than connections: a place in the order is never held while waiting for one.
TEST_F(AuditStoreTest, ConcurrentAppendsFindEachEntryAtItsOwnIndex) {
  constexpr int kThreads = 6, kBatches = 8, kBatch = 25;
  std::vector<std::vector<v1::AuditEvent>> batches;
  for (int b = 0; b < kThreads * kBatches; ++b) batches.push_back(Events(b * kBatch, (b + 1) * kBatch));
  std::vector<std::thread> threads;
  std::atomic<int> failed = 0;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = t; b < kThreads * kBatches; b += kThreads) {
        if (!store_.Append("heerlen", batches[b]).ok()) ++failed;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failed, 0);
  AuditStore::AppendCounts counts = store_.append_counts();
  EXPECT_EQ(counts.search_rows_before_lock + counts.search_rows_under_lock, static_cast<uint64_t>(kThreads * kBatches));
  // One process: an expectation fails only when a turn is late (2 s).
  EXPECT_GT(counts.search_rows_before_lock, counts.expected_wrongly);
  constexpr uint64_t kTotal = kThreads * kBatches * kBatch;
  ASSERT_EQ(*store_.Size("heerlen"), kTotal);
  auto verified = ExportAndVerify();
  ASSERT_TRUE(verified.ok()) << verified.status();

  auto search_rows = pool_->Query("SELECT count(*) AS n FROM audit.entry_search");
  ASSERT_TRUE(search_rows.ok()) << search_rows.status();
  EXPECT_EQ(search_rows->Int(0, "n"), static_cast<int64_t>(kTotal)) << "one search row per entry";
  std::vector<StoredEntry> log = *store_.Entries("heerlen", 0, kTotal, int64_t{1} << 30);
  ASSERT_EQ(log.size(), kTotal);
  for (const StoredEntry& entry : log) {
    v1::AuditEvent event;
    ASSERT_TRUE(event.ParseFromString(entry.bytes));
    EventQuery q;
    q.log_id = "heerlen";
    q.object_type = "signal";
    q.object_id = event.object().id();
    auto found = store_.Query(q, absl::InfiniteFuture());
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_EQ(found->size(), 1u) << q.object_id.value();
    EXPECT_EQ((*found)[0].index, entry.index) << q.object_id.value();
    EXPECT_EQ((*found)[0].bytes, entry.bytes) << q.object_id.value();
  }
}

// Another process (here: another store on the same database) appends between
// two appends of this one: the second expected the log's end wrongly, rolls
// back and is made again at the real end.
TEST_F(AuditStoreTest, AnAppendThatExpectedTheWrongIndexIsMadeAgainAtTheEnd) {
  AuditStore other(pool_.get());
  ASSERT_EQ(AppendedSize(Events(0, 10)), 10u);  // this store now expects 10 next
  ASSERT_EQ(other.Append("heerlen", Events(10, 15))->size, 15u);
  std::vector<v1::AuditEvent> last = Events(15, 20);
  ASSERT_EQ(AppendedSize(last), 20u);
  ASSERT_EQ(AppendedSize(Events(20, 22)), 22u) << "and the next append expects the right end again";
  EXPECT_EQ(store_.append_counts().expected_wrongly, 1u);
  EXPECT_EQ(store_.append_counts().search_rows_before_lock, 1u)
      << "the last: the first could not expect, the second expected wrongly";

  MerkleTree reference;
  for (const auto& e : Events(0, 22)) reference.Append(LeafHash(EntryBytes(e)));
  EXPECT_EQ(*store_.Root("heerlen", 22), *reference.Root(22));
  auto search_rows = pool_->Query("SELECT count(*) AS n FROM audit.entry_search");
  ASSERT_TRUE(search_rows.ok()) << search_rows.status();
  EXPECT_EQ(search_rows->Int(0, "n"), 22) << "the wrong guess left no search rows";
  EventQuery q;
  q.log_id = "heerlen";
  q.object_id = last[0].object().id();
  auto found = store_.Query(q, absl::InfiniteFuture());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].index, 15u);
}

// 0009 moved the search columns into audit.entry_search: a log appended
// before it is found by every search as before, and the deployment's
// default privileges (UPDATE and DELETE for the service's role on every new
// table) are taken away from the log's tables.
TEST_F(AuditStoreMigrationTest, ALogAppendedBefore0009IsSearchedAsBeforeAndOnlyAppendedTo) {
  db::Pool* pool = pool_.get();
  ASSERT_TRUE(Migrate("0009").ok());
  const testing::TemporaryRole role(pool, "Audit-App");
  ASSERT_TRUE(role.created().ok()) << role.created();
  const std::string& name = role.name();
  const std::string& app = role.sql();
  for (const std::string& sql :
       {absl::StrCat("GRANT USAGE ON SCHEMA audit TO ", app),
        absl::StrCat("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA audit TO ", app),
        absl::StrCat("ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ", app)}) {
    ASSERT_TRUE(pool->Query(sql).ok()) << sql;
  }
  std::vector<v1::AuditEvent> events;
  for (int i = 0; i < 6; ++i) {
    v1::AuditEvent& e = events.emplace_back();
    e.set_event_id(RandomUuid());
    e.set_action(i % 2 == 0 ? v1::ACTION_READ : v1::ACTION_UPDATE);
    e.mutable_actor()->set_user_id(absl::StrCat("user-", i % 3));
    e.mutable_actor()->set_organisation_id(i < 3 ? "politie" : "woonpunt");
    e.mutable_object()->set_type("signal");
    e.mutable_object()->set_id(absl::StrCat("SV-2026-", i));
    absl::Status inserted = pool->Query("INSERT INTO audit.entries (log_id, idx, event_id, entry, leaf_hash, subjects, occurred_at, "
                            "actor_user_id, organisation_id, object_type, object_id, action, outcome) "
                            "VALUES ('heerlen', $1, $2::uuid, $3::bytea, $4::bytea, '{}', "
                            "'2026-11-01T10:00:00Z'::timestamptz + make_interval(days => $9::integer), $5, $6, 'signal', $7, "
                            "$8, 'OUTCOME_UNSPECIFIED')",
                            {absl::StrCat(i), e.event_id(), db::BytesParam(EntryBytes(e)),
                             db::BytesParam(LeafHash(EntryBytes(e))), e.actor().user_id(),
                             e.actor().organisation_id(), e.object().id(), v1::Action_Name(e.action()),
                             absl::StrCat(i)})
                    .status();
    ASSERT_TRUE(inserted.ok()) << inserted;
  }
  ASSERT_TRUE(Migrate().ok());

  AuditStore store(pool);
  auto indexes = [&](const std::function<void(EventQuery&)>& set) {
    EventQuery q;
    q.log_id = "heerlen";
    set(q);
    std::vector<uint64_t> out;
    auto found = store.Query(q, absl::InfiniteFuture());
    EXPECT_TRUE(found.ok()) << found.status();
    for (const StoredEntry& e : found.ok() ? *found : std::vector<StoredEntry>{}) {
      EXPECT_EQ(e.bytes, EntryBytes(events[e.index]));
      out.push_back(e.index);
    }
    return out;
  };
  using Indexes = std::vector<uint64_t>;
  EXPECT_EQ(indexes([](EventQuery&) {}), (Indexes{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(indexes([](EventQuery& q) { q.actor_user_id = "user-1"; }), (Indexes{4, 1}));
  EXPECT_EQ(indexes([](EventQuery& q) { q.organisation_id = "woonpunt"; }), (Indexes{5, 4, 3}));
  EXPECT_EQ(indexes([](EventQuery& q) { q.action = v1::ACTION_UPDATE; }), (Indexes{5, 3, 1}));
  EXPECT_EQ(indexes([](EventQuery& q) { q.object_type = "signal"; q.object_id = "SV-2026-2"; }), (Indexes{2}));
  EXPECT_EQ(indexes([](EventQuery& q) {
              q.from = absl::FromCivil(absl::CivilSecond(2026, 11, 2, 10, 0, 0), absl::UTCTimeZone());
              q.to = q.from.value() + absl::Hours(48);
            }),
            (Indexes{2, 1}));

  for (const char* table : {"audit.entries", "audit.entry_search", "audit.nodes", "audit.tree_heads"}) {
    auto held = pool->Query(
        "SELECT has_table_privilege($1, $2::regclass, 'UPDATE') OR has_table_privilege($1, $2::regclass, 'DELETE') "
        "OR has_table_privilege($1, $2::regclass, 'TRUNCATE') AS changes, "
        "has_table_privilege($1, $2::regclass, 'INSERT') AS appends",
        {name, table});
    ASSERT_TRUE(held.ok()) << held.status();
    EXPECT_EQ(held->Text(0, "changes"), "f") << table;
    EXPECT_EQ(held->Text(0, "appends"), "t") << table;
  }
  // Nobody, the owner included, holds them any more.
  auto holders = pool->Query(
      "SELECT count(*) AS n FROM pg_class c, aclexplode(c.relacl) a "
      "WHERE c.oid IN ('audit.entries'::regclass, 'audit.entry_search'::regclass, 'audit.nodes'::regclass, "
      "'audit.tree_heads'::regclass) AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')");
  ASSERT_TRUE(holders.ok()) << holders.status();
  EXPECT_EQ(holders->Int(0, "n"), 0);
}

TEST_F(AuditStoreTest, ProofsPastTheEndOfTheLogAreOutOfRange) {
  ASSERT_EQ(AppendedSize(Events(0, 5)), 5u);
  EXPECT_EQ(store_.ConsistencyProof("heerlen", 6, 6).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_.ConsistencyProof("heerlen", 0, 6).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(store_.ConsistencyProof("heerlen", 5, 5).ok());
  EXPECT_EQ(store_.InclusionProof("maastricht", 0, 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_.Root("heerlen", 6).status().code(), absl::StatusCode::kOutOfRange);
  // Past what the database counts an index in: still the log's length, not
  // an overflow in the database.
  for (uint64_t size : {uint64_t{1} << 63, ~uint64_t{0}}) {
    EXPECT_EQ(store_.ConsistencyProof("heerlen", 5, size).status(),
              absl::OutOfRangeError("new_size: the log has only 5 entries"));
    EXPECT_EQ(store_.InclusionProof("heerlen", 4, size).status(),
              absl::OutOfRangeError("tree_size: the log has only 5 entries"));
  }
}

TEST_F(AuditStoreTest, NoRoleMayChangeOrRemoveEntries) {
  // Enough entries for a stored node: the lowest levels are not stored.
  ASSERT_TRUE(store_.Append("heerlen", Events(0, 20)).ok());
  for (const char* sql : {"UPDATE audit.entries SET entry = 'x' WHERE idx = 1",
                          "DELETE FROM audit.entries WHERE idx = 1", "TRUNCATE audit.entries",
                          "UPDATE audit.nodes SET hash = 'x'", "DELETE FROM audit.nodes",
                          "UPDATE audit.entry_search SET actor_user_id = 'x'", "DELETE FROM audit.entry_search",
                          "TRUNCATE audit.entry_search"}) {
    absl::Status status = db::ExecuteOnce(db_.conninfo(), sql);
    EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << sql;  // 42501, refused by the trigger
  }
  EXPECT_EQ(*store_.Size("heerlen"), 20u);
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

// Pages were bounded by count only: 5,000 entries of 1 KB passed the 4 MiB
// message limit and the export failed.
TEST_F(AuditStoreTest, ExportPagesEndBeforeTheirByteLimitAndTogetherHoldTheWholeLog) {
  std::vector<v1::AuditEvent> events = Events(0, 3000);
  for (v1::AuditEvent& e : events) e.set_detail(std::string(1000, 'd'));
  ASSERT_EQ(AppendedSize(events), 3000u);
  uint64_t next = 0;
  int pages = 0;
  for (;; ++pages) {
    auto page = store_.Entries("heerlen", next, kMaxExportPage, kMaxExportPageBytes);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    int64_t bytes = 0;
    for (const StoredEntry& e : *page) {
      EXPECT_EQ(e.index, next++);
      bytes += e.bytes.size();
    }
    EXPECT_LE(bytes, kMaxExportPageBytes);
  }
  EXPECT_EQ(next, 3000u);
  EXPECT_GE(pages, 3);
  // One entry larger than the page limit still makes a page of its own.
  auto one = store_.Entries("heerlen", 0, kMaxExportPage, 10);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
}

}  // namespace
}  // namespace hartslag::audit
