// The database layer against a real PostgreSQL: a prepared statement is
// prepared once per session, kept across transactions (also one that failed
// after preparing it), and prepared again on the new session after the old
// one was lost; a transaction's BEGIN goes with its first statement and
// keeps its isolation, timeout and other settings; one statement in one
// round trip keeps its transaction, its statement timeout and its session as
// a transaction does; rows copied in binary keep every value as it was.
#include "services/common/db.h"

#include <gtest/gtest.h>

#include <set>


#include "absl/strings/str_cat.h"
#include "services/common/json_writer.h"
#include "services/common/status_macros.h"
#include "tests/support/test_database.h"

namespace hartslag {
namespace {

constexpr db::Prepared kAddOne{"db_test_add_one", "SELECT $1::int + 1 AS n, pg_backend_pid() AS pid"};
constexpr db::Prepared kDouble{"db_test_double", "SELECT $1::int * 2 AS n"};
constexpr db::Prepared kReadState{"db_test_read_state", R"sql(
  SELECT $1::int / $2::int AS n, pg_backend_pid() AS pid,
         (SELECT setting FROM pg_settings WHERE name = 'statement_timeout') AS timeout_ms,
         transaction_timestamp() < statement_timestamp() AS begun_before
  FROM pg_sleep($3::float8)
)sql"};

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

  // The session ends under the pool's feet: the transaction that meets the
  // loss runs again on a new session, where the statement is prepared again.
  ASSERT_TRUE(db::ExecuteOnce(db_.conninfo(), "SELECT pg_terminate_backend(" + std::to_string(pid) + ")").ok());
  const int64_t new_pid = AddOne(4);
  EXPECT_NE(new_pid, pid);
  EXPECT_EQ(PreparedInSession(), 1) << "only what the new session ran";
}

TEST_F(DbTest, ALostSessionFailsTheTransactionOnlyWhenItMayNotBeRetried) {
  const int64_t pid = AddOne(1);
  ASSERT_TRUE(db::ExecuteOnce(db_.conninfo(), "SELECT pg_terminate_backend(" + std::to_string(pid) + ")").ok());
  db::TransactionOptions no_retry;
  no_retry.retry_unavailable_for = absl::ZeroDuration();
  absl::Status lost = pool_->InTransaction([](db::Transaction& tx) { return tx.Query(kAddOne, {"0"}).status(); },
                                           no_retry);
  EXPECT_EQ(lost.code(), absl::StatusCode::kUnavailable) << lost;
  EXPECT_NE(AddOne(2), pid);
}

// After a failover a session can be left on a server that is read-only now
// (SQLSTATE 25006): the pool lets go of it instead of handing it out again,
// and the transaction that met it runs again on a new session.
TEST_F(DbTest, ASessionThatBecameReadOnlyIsNotUsedAgain) {
  ASSERT_TRUE(pool_->Query("CREATE TABLE written (n int)").ok());
  const int64_t pid = AddOne(1);
  ASSERT_TRUE(pool_->InTransaction([](db::Transaction& tx) {
                     return tx.ExecScript("SET SESSION default_transaction_read_only = on");
                   }).ok());
  absl::Status written = pool_->InTransaction([](db::Transaction& tx) {
    return tx.Exec("INSERT INTO written VALUES (1)");
  });
  EXPECT_TRUE(written.ok()) << written;
  EXPECT_NE(AddOne(2), pid) << "the read-only session was let go";
  auto rows = pool_->Query("SELECT count(*) AS n FROM written");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->Int(0, "n"), 1);

  // A write refused as read-only is UNAVAILABLE (another server may take it), not INTERNAL.
  db::TransactionOptions no_retry;
  no_retry.retry_unavailable_for = absl::ZeroDuration();
  absl::Status refused = pool_->InTransaction(
      [](db::Transaction& tx) -> absl::Status {
        RETURN_IF_ERROR(tx.ExecScript("SET LOCAL transaction_read_only = on"));
        return tx.Exec("INSERT INTO written VALUES (2)");
      },
      no_retry);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_NE(refused.message().find("25006"), absl::string_view::npos) << refused;

}

// A write for the COMMIT travels with it. Refused by the server before the
// COMMIT (here 25006, as a server demoted in a failover says it), the COMMIT
// never ran and the transaction runs again; refused at the COMMIT itself, it
// may have taken effect for all we can tell, and goes back to the caller.
TEST_F(DbTest, AWriteAtCommitRefusedBeforeTheCommitRunsAgainAndOneAtTheCommitDoesNot) {
  ASSERT_TRUE(pool_->InTransaction([](db::Transaction& tx) {
                     return tx.ExecScript(R"sql(
                       CREATE SEQUENCE attempts;
                       CREATE TABLE written (n int);
                       CREATE FUNCTION refuse_first() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN
                         IF nextval('attempts') = 1 THEN
                           RAISE EXCEPTION 'read-only for now' USING ERRCODE = '25006';
                         END IF;
                         RETURN NEW;
                       END $$;
                       CREATE TRIGGER refuse_first BEFORE INSERT ON written
                         FOR EACH ROW EXECUTE FUNCTION refuse_first();
                     )sql");
                   }).ok());
  static constexpr db::Prepared kWrite{"db_test_write", "INSERT INTO written VALUES ($1::int)"};
  auto number = [this](const char* sql) {
    auto rows = pool_->Query(sql);
    return rows.ok() ? rows->Int(0, "n") : -1;
  };
  absl::Status again = pool_->InTransaction([](db::Transaction& tx) {
    tx.ExecAtCommit(kWrite, {"1"});
    return absl::OkStatus();
  });
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(number("SELECT last_value AS n FROM attempts"), 2) << "run twice";
  EXPECT_EQ(number("SELECT count(*) AS n FROM written"), 1);

  ASSERT_TRUE(pool_->InTransaction([](db::Transaction& tx) {
                     return tx.ExecScript(R"sql(
                       DROP TRIGGER refuse_first ON written;
                       ALTER SEQUENCE attempts RESTART;
                       CREATE CONSTRAINT TRIGGER refuse_first AFTER INSERT ON written
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_first();
                     )sql");
                   }).ok());
  absl::Status at_commit = pool_->InTransaction([](db::Transaction& tx) {
    tx.ExecAtCommit(kWrite, {"2"});
    return absl::OkStatus();
  });
  EXPECT_EQ(at_commit.code(), absl::StatusCode::kUnavailable) << at_commit;
  EXPECT_EQ(number("SELECT last_value AS n FROM attempts"), 1) << "run once";
  EXPECT_EQ(number("SELECT count(*) AS n FROM written"), 1);
}

TEST_F(DbTest, OneStatementRunsInATransactionOfItsOwnBoundedByItsDeadlineAndKeepsItsSession) {
  const int64_t pid = AddOne(1);
  db::TransactionOptions bounded;
  bounded.deadline = absl::Now() + absl::Seconds(30);
  auto read = pool_->OneStatement(kReadState, {"84", "2", "0"}, bounded);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->Int(0, "n"), 42);
  EXPECT_EQ(read->Int(0, "pid"), pid) << "the pool's one session";
  EXPECT_TRUE(read->Bool(0, "begun_before")) << "the statement ran in a transaction begun before it";
  // The deadline as the statement's timeout, in its transaction and not
  // after it.
  EXPECT_GT(read->Int(0, "timeout_ms"), 25'000);
  EXPECT_LE(read->Int(0, "timeout_ms"), 30'000);
  auto session = pool_->Query("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'");
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->Text(0, "setting"), "0");

  // A read past its deadline is cut off in the database.
  db::TransactionOptions short_deadline;
  short_deadline.deadline = absl::Now() + absl::Milliseconds(200);
  auto slow = pool_->OneStatement(kReadState, {"1", "1", "5"}, short_deadline);
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kDeadlineExceeded) << slow.status();
  EXPECT_NE(slow.status().message().find("57014"), absl::string_view::npos) << "the database's cancel: " << slow.status();

  // A failed read names the reason, and its session is usable after it.
  auto failed = pool_->OneStatement(kReadState, {"1", "0", "0"});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument) << failed.status();
  EXPECT_NE(failed.status().message().find("22012"), absl::string_view::npos) << failed.status();
  EXPECT_EQ(AddOne(2), pid) << "the failed reads' session stayed in the pool";

  // A read that meets a lost session runs again on a new one.
  ASSERT_TRUE(db::ExecuteOnce(db_.conninfo(), "SELECT pg_terminate_backend(" + std::to_string(pid) + ")").ok());
  auto again = pool_->OneStatement(kReadState, {"10", "5", "0"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->Int(0, "n"), 2);
  EXPECT_NE(again->Int(0, "pid"), pid);
}

TEST_F(DbTest, OneStatementThatWritesCommitsWithTheSettingsItWasGiven) {
  ASSERT_TRUE(pool_->Query("CREATE TABLE counted (n int)").ok());
  static constexpr db::Prepared kCount{"db_test_count", R"sql(
    INSERT INTO counted VALUES ($1::int)
    RETURNING current_setting('enable_seqscan') AS seqscan, current_setting('transaction_isolation') AS isolation
  )sql"};
  db::TransactionOptions options;
  options.index_scans_only = true;
  options.isolation = db::Isolation::kSerializable;
  auto written = pool_->OneStatement(kCount, {"7"}, options);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->Text(0, "seqscan"), "off");
  EXPECT_EQ(written->Text(0, "isolation"), "serializable");
  auto rows = pool_->Query("SELECT sum(n) AS n, current_setting('enable_seqscan') AS seqscan FROM counted");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->Int(0, "n"), 7) << "committed";
  EXPECT_EQ(rows->Text(0, "seqscan"), "on") << "the setting was the transaction's, not the session's";
}

// BEGIN and the settings travel with the first statement; the transaction
// is one and the same after it, and one that failed at its first statement
// leaves its session clean.
TEST_F(DbTest, ATransactionBeginsWithItsFirstStatementAndKeepsItsSettings) {
  const int64_t pid = AddOne(1);
  db::TransactionOptions bounded;
  bounded.deadline = absl::Now() + absl::Seconds(30);
  bounded.isolation = db::Isolation::kSerializable;
  std::string first_xid, second_xid;
  absl::Status status = pool_->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows state, tx.Query(kReadState, {"4", "2", "0"}));
        EXPECT_TRUE(state.Bool(0, "begun_before"));
        EXPECT_GT(state.Int(0, "timeout_ms"), 25'000);
        EXPECT_LE(state.Int(0, "timeout_ms"), 30'000);
        ASSIGN_OR_RETURN(db::Rows first, tx.Query("SELECT txid_current()::text AS xid, "
                                                  "current_setting('transaction_isolation') AS isolation"));
        EXPECT_EQ(first.Text(0, "isolation"), "serializable");
        first_xid = first.Text(0, "xid");
        ASSIGN_OR_RETURN(db::Rows second, tx.Query("SELECT txid_current()::text AS xid"));
        second_xid = second.Text(0, "xid");
        return absl::OkStatus();
      },
      bounded);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(first_xid, second_xid);

  // A transaction that ran nothing commits.
  EXPECT_TRUE(pool_->InTransaction([](db::Transaction&) { return absl::OkStatus(); }).ok());

  absl::Status failed = pool_->InTransaction(
      [](db::Transaction& tx) { return tx.Query(kReadState, {"1", "0", "0"}).status(); }, bounded);
  EXPECT_EQ(failed.code(), absl::StatusCode::kInvalidArgument) << failed;
  auto session = pool_->Query("SELECT current_setting('statement_timeout') AS timeout, pg_backend_pid() AS pid");
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->Text(0, "timeout"), "0") << "no setting outlived its transaction";
  EXPECT_EQ(session->Int(0, "pid"), pid) << "the failed transaction's session stayed in the pool";
}

// A transaction sets what its options name and keeps the session's value of
// the rest, a deployment's own included (synchronous_commit = remote_write
// where a standby must have the WAL). A queue's transaction plans with
// index scans even on a table that is empty, and on plans made once for
// any parameters.
TEST_F(DbTest, ATransactionChangesOnlyTheSettingsItsOptionsName) {
  ASSERT_TRUE(db::ExecuteOnce(db_.conninfo(), R"sql(
    DO $$ BEGIN
      EXECUTE format('ALTER DATABASE %I SET synchronous_commit = remote_write', current_database());
    END $$;
    CREATE TABLE queue (seq bigint PRIMARY KEY, payload text);
  )sql").ok());
  auto pool = db::Pool::Open(db_.conninfo(), 1);  // sessions that start with the database's settings
  ASSERT_TRUE(pool.ok()) << pool.status();
  constexpr char kSettings[] =
      "SELECT current_setting('synchronous_commit') AS flush, current_setting('enable_seqscan') AS seqscan,"
      " current_setting('enable_bitmapscan') AS bitmapscan,"
      " current_setting('plan_cache_mode') AS plans,"
      " (SELECT setting FROM pg_settings WHERE name = 'statement_timeout') AS timeout";
  static constexpr db::Prepared kBySeq{"db_test_by_seq", "SELECT payload FROM queue WHERE seq = $1::bigint"};
  // A generic plan names the parameter, a plan for the value names the value.
  auto plan_of_by_seq = [](db::Transaction& tx) -> absl::StatusOr<std::string> {
    RETURN_IF_ERROR(tx.Query(kBySeq, {"7"}).status());  // prepared in this session, if it was not
    ASSIGN_OR_RETURN(db::Rows explained, tx.Query("EXPLAIN EXECUTE db_test_by_seq(7)"));
    std::string plan;
    for (int i = 0; i < explained.size(); ++i) plan += explained.Text(i, "\"QUERY PLAN\"") + "\n";
    return plan;
  };
  db::TransactionOptions queue;
  queue.deadline = absl::Now() + absl::Seconds(30);
  queue.index_scans_only = true;
  queue.generic_plans = true;
  std::string plan, by_seq;
  absl::Status ran = (*pool)->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows settings, tx.Query(kSettings));
        EXPECT_EQ(settings.Text(0, "flush"), "remote_write");
        EXPECT_EQ(settings.Text(0, "seqscan"), "off");
        EXPECT_EQ(settings.Text(0, "bitmapscan"), "off");
        EXPECT_EQ(settings.Text(0, "plans"), "force_generic_plan");
        EXPECT_GT(settings.Int(0, "timeout"), 25'000);
        EXPECT_LE(settings.Int(0, "timeout"), 30'000);
        ASSIGN_OR_RETURN(db::Rows explained, tx.Query("EXPLAIN SELECT payload FROM queue WHERE seq = ANY('{1,2}')"));
        for (int i = 0; i < explained.size(); ++i) plan += explained.Text(i, "\"QUERY PLAN\"") + "\n";
        ASSIGN_OR_RETURN(by_seq, plan_of_by_seq(tx));
        return absl::OkStatus();
      },
      queue);
  ASSERT_TRUE(ran.ok()) << ran;
  EXPECT_NE(plan.find("Index Scan using queue_pkey"), std::string::npos) << plan;
  EXPECT_NE(by_seq.find("(seq = $1)"), std::string::npos) << by_seq;
  // Outside such a transaction PostgreSQL plans its first runs for their values.
  ASSERT_TRUE((*pool)->InTransaction([&](db::Transaction& tx) -> absl::Status {
                       ASSIGN_OR_RETURN(by_seq, plan_of_by_seq(tx));
                       return absl::OkStatus();
                     }).ok());
  EXPECT_NE(by_seq.find("(seq = '7'::bigint)"), std::string::npos) << by_seq;

  db::TransactionOptions index_scans;
  index_scans.index_scans_only = true;
  auto settings = (*pool)->OneStatement({"db_test_settings", kSettings}, {}, index_scans);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->Text(0, "seqscan"), "off");
  EXPECT_EQ(settings->Text(0, "flush"), "remote_write");
  EXPECT_EQ(settings->Text(0, "plans"), "auto");
  EXPECT_EQ(settings->Text(0, "timeout"), "0") << "no deadline";
  auto session = (*pool)->Query(kSettings);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->Text(0, "flush"), "remote_write") << "no setting outlived its transaction";
  EXPECT_EQ(session->Text(0, "seqscan"), "on");
  EXPECT_EQ(session->Text(0, "plans"), "auto");
}

// A write for the commit (an outbox record) goes in COMMIT's round trip:
// with the transaction's work when all is well, and its failure fails the
// commit, so the work goes too.
TEST_F(DbTest, AStatementRunAtCommitCommitsWithTheTransactionOrFailsIt) {
  ASSERT_TRUE(pool_->Query("CREATE TABLE work (n int)").ok());
  ASSERT_TRUE(pool_->Query("CREATE TABLE records (n int CHECK (n > 0))").ok());
  static constexpr db::Prepared kRecord{"db_test_record", "INSERT INTO records VALUES ($1::int)"};
  auto count = [this](const char* table) {
    auto rows = pool_->Query(absl::StrCat("SELECT count(*) AS n FROM ", table));
    return rows.ok() ? rows->Int(0, "n") : -1;
  };

  ASSERT_TRUE(pool_->InTransaction([](db::Transaction& tx) -> absl::Status {
                     RETURN_IF_ERROR(tx.Exec("INSERT INTO work VALUES (1)"));
                     tx.ExecAtCommit(kRecord, {"1"});
                     return absl::OkStatus();
                   }).ok());
  EXPECT_EQ(count("work"), 1);
  EXPECT_EQ(count("records"), 1);

  // Only a record: BEGIN, the record and COMMIT travel together.
  ASSERT_TRUE(pool_->InTransaction([](db::Transaction& tx) {
                     tx.ExecAtCommit(kRecord, {"2"});
                     return absl::OkStatus();
                   }).ok());
  EXPECT_EQ(count("records"), 2);

  absl::Status refused = pool_->InTransaction([](db::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO work VALUES (2)"));
    tx.ExecAtCommit(kRecord, {"-1"});
    return absl::OkStatus();
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_NE(refused.message().find("23514"), absl::string_view::npos) << refused;
  EXPECT_EQ(count("work"), 1) << "the work went with its record";
  EXPECT_EQ(count("records"), 2);

  // A transaction that fails before it commits never runs its record.
  absl::Status failed = pool_->InTransaction([](db::Transaction& tx) -> absl::Status {
    tx.ExecAtCommit(kRecord, {"3"});
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(count("records"), 2);
}

// A newer instance of a service migrates the schema while this one runs: a
// statement prepared before, whose result changed shape, fails in every
// session that prepared it (0A000, "cached plan must not change result
// type"). The transaction runs again on a new session and sees the new shape.
TEST_F(DbTest, AStatementPreparedBeforeTheSchemaChangedRunsAgainOnANewSession) {
  ASSERT_TRUE(pool_->Query("CREATE TABLE shapes (n int)").ok());
  ASSERT_TRUE(pool_->Query("INSERT INTO shapes VALUES (1)").ok());
  static constexpr db::Prepared kShapes{"db_test_shapes", "SELECT *, pg_backend_pid() AS pid FROM shapes"};
  auto three = db::Pool::Open(db_.conninfo(), 3);
  ASSERT_TRUE(three.ok()) << three.status();
  db::Pool& pool = **three;
  // Three sessions prepare it; then one is taken (the last released: the
  // pool hands out the idle session it got back last) and held, without a
  // statement, so without a lock in the way of the migration.
  auto pid_in = [&](db::Transaction& tx) {
    auto rows = tx.Query(kShapes);
    return rows.ok() ? rows->Int(0, "pid") : -1;
  };
  auto first = pool.Begin();
  auto second = pool.Begin();
  auto third = pool.Begin();
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  const std::set<int64_t> before = {pid_in(*first), pid_in(*second), pid_in(*third)};
  ASSERT_EQ(before.size(), 3u);
  for (db::Transaction* tx : {&*first, &*second, &*third}) ASSERT_TRUE(tx->Commit().ok());
  auto busy = pool.Begin();
  ASSERT_TRUE(busy.ok());

  ASSERT_TRUE(db::ExecuteOnce(db_.conninfo(), "ALTER TABLE shapes ADD COLUMN colour text DEFAULT 'blue'").ok());
  auto after = pool.OneStatement(kShapes);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->Text(0, "colour"), "blue");
  EXPECT_FALSE(before.contains(after->Int(0, "pid"))) << "on a new session";

  // The session in use when it happened ends when it is released: from
  // then on every session is new.
  ASSERT_TRUE(busy->Commit().ok());
  auto again = pool.Begin();
  auto and_again = pool.Begin();
  auto once_more = pool.Begin();
  ASSERT_TRUE(again.ok() && and_again.ok() && once_more.ok());
  for (db::Transaction* tx : {&*again, &*and_again, &*once_more}) {
    auto rows = tx->Query(kShapes);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_FALSE(before.contains(rows->Int(0, "pid")));
    ASSERT_TRUE(tx->Commit().ok());
  }

  // Other errors of this kind are the statement's own, and not run again.
  static constexpr db::Prepared kUnsupported{"db_test_unsupported",
                                             "SELECT * FROM shapes s LEFT JOIN shapes t ON false FOR UPDATE OF t"};
  auto refused = pool.OneStatement(kUnsupported);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInternal) << refused.status();
  EXPECT_NE(refused.status().message().find("0A000"), absl::string_view::npos) << refused.status();
}

TEST_F(DbTest, RowsCopiedInBinaryArriveAsTheValuesTheyWere) {
  ASSERT_TRUE(pool_->Query(R"sql(
    CREATE TABLE copied (t text, b bytea, i int, n bigint, u uuid, at timestamptz, list bytea[], nothing text)
  )sql").ok());
  const std::string bytes("\0\x01\\\t\n\xff", 6);  // what text would escape, and a zero byte
  const absl::Time at = absl::FromUnixMicros(1'764'849'600'123'456);  // 2025-12-04T12:00:00.123456Z
  db::CopyRows first_values;  // made apart, as a store does outside its lock
  first_values.Text("Vrieheide, tab\there").Bytes(bytes);
  db::CopyRows rows;
  rows.Row(8).Append(first_values).Int32(-7).Int64(int64_t{1} << 40)
      .Uuid(std::string("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef", 16))
      .Timestamp(at).BytesArray({"a", std::string("\0b", 2)}).Null();
  rows.Row(8).Text("").Bytes("").Int32(0).Int64(-1).Uuid(std::string(16, '\0')).Timestamp(absl::UnixEpoch())
      .BytesArray({}).Text("x");
  ASSERT_TRUE(pool_->InTransaction([&](db::Transaction& tx) { return tx.CopyIn("copied (t, b, i, n, u, at, list, nothing)", rows); }).ok());

  auto read = pool_->Query(R"sql(
    SELECT t, b, i, n, u::text AS u, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at,
           array_length(list, 1) AS items, list[1] AS first, list[2] AS second, nothing IS NULL AS null
    FROM copied ORDER BY i
  )sql");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2);
  EXPECT_EQ(read->Text(0, "t"), "Vrieheide, tab\there");
  EXPECT_EQ(read->Bytes(0, "b"), bytes);
  EXPECT_EQ(read->Int(0, "i"), -7);
  EXPECT_EQ(read->Int(0, "n"), int64_t{1} << 40);
  EXPECT_EQ(read->Text(0, "u"), "12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(read->Text(0, "at"), "2025-12-04 12:00:00.123456");
  EXPECT_EQ(read->Int(0, "items"), 2);
  EXPECT_EQ(read->Bytes(0, "first"), "a");
  EXPECT_EQ(read->Bytes(0, "second"), std::string("\0b", 2));
  EXPECT_TRUE(read->Bool(0, "null"));
  EXPECT_EQ(read->Text(1, "t"), "");
  EXPECT_EQ(read->Int(1, "n"), -1);
  EXPECT_EQ(read->Text(1, "at"), "1970-01-01 00:00:00.000000");
  EXPECT_TRUE(read->IsNull(1, "items")) << "an empty array has no dimensions";
  EXPECT_FALSE(read->Bool(1, "null"));

  // A value the column's type refuses fails the COPY and stores nothing of it.
  db::CopyRows bad;
  bad.Row(8).Text("kept out").Bytes("").Int32(1).Int64(1).Null().Null().Null().Null();
  bad.Row(8).Text("not UTF-8: \xff").Bytes("").Int32(2).Int64(2).Null().Null().Null().Null();
  absl::Status refused = pool_->InTransaction([&](db::Transaction& tx) { return tx.CopyIn("copied (t, b, i, n, u, at, list, nothing)", bad); });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  // A row malformed for its type is refused as a fault of ours, not taken
  // for a lost connection and tried again.
  db::CopyRows short_uuid;
  short_uuid.Row(8).Text("kept out").Bytes("").Int32(3).Int64(3).Uuid("short").Null().Null().Null();
  refused = pool_->InTransaction([&](db::Transaction& tx) { return tx.CopyIn("copied (t, b, i, n, u, at, list, nothing)", short_uuid); });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal) << refused;
  db::CopyRows one_short;
  one_short.Row(7).Text("kept out").Bytes("").Int32(4).Int64(4).Null().Null().Null();
  refused = pool_->InTransaction([&](db::Transaction& tx) { return tx.CopyIn("copied (t, b, i, n, u, at, list, nothing)", one_short); });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal) << refused;
  EXPECT_NE(refused.message().find("22P04"), absl::string_view::npos) << refused;
  auto count = pool_->Query("SELECT count(*) AS n FROM copied");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->Int(0, "n"), 2);
}

// What JsonObject writes, PostgreSQL's jsonb reads as it was given: every
// character checked text may hold, and doubles at the ends of their range.
TEST_F(DbTest, JsonbReadsWhatJsonObjectWritesAsGiven) {
  std::string every_ascii;
  for (int c = 1; c < 0x80; ++c) every_ascii.push_back(static_cast<char>(c));  // jsonb refuses NUL
  const std::string dutch = "Zorg \"om\" C:\\deur € ñ 😀";
  std::string json;
  JsonObject row(json);
  row.String("ascii", every_ascii).String("dutch", dutch).Double("tiny", 5e-324).Double("huge", 1e+300)
      .Double("latitude", 50.91234567890123).Int("number", -9007199254740993);
  row.Close();
  auto read = pool_->Query(
      "SELECT j->>'ascii' AS ascii, j->>'dutch' AS dutch, (j->>'tiny')::float8 = 5e-324 AS tiny, "
      "(j->>'huge')::float8 = 1e+300 AS huge, (j->>'latitude')::float8 = 50.91234567890123 AS latitude, "
      "(j->>'number')::bigint = -9007199254740993 AS number FROM (SELECT $1::jsonb AS j) t",
      {json});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->Text(0, "ascii"), every_ascii);
  EXPECT_EQ(read->Text(0, "dutch"), dutch);
  EXPECT_TRUE(read->Bool(0, "tiny"));
  EXPECT_TRUE(read->Bool(0, "huge"));
  EXPECT_TRUE(read->Bool(0, "latitude"));
  EXPECT_TRUE(read->Bool(0, "number"));
}

}  // namespace
}  // namespace hartslag
