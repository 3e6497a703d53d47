// The database layer: a pool of libpq connections, scoped transactions and
// parameterised statements, with PostgreSQL errors mapped to absl::Status.
//
//   ASSIGN_OR_RETURN(auto pool, db::Pool::Open(conninfo, 8));
//   RETURN_IF_ERROR(pool->InTransaction([&](db::Transaction& tx) -> absl::Status {
//     ASSIGN_OR_RETURN(db::Rows rows, tx.Query(kSelectSignal, {tenant, id}));
//     ...
//     return absl::OkStatus();
//   }));
//
// SQL text is always a constant of the store; values travel only as
// parameters, never spliced into SQL. A Pool is thread-safe; a Transaction
// belongs to one thread at a time.
#ifndef HARTSLAG_SERVICES_COMMON_DB_H_
#define HARTSLAG_SERVICES_COMMON_DB_H_

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace hartslag::db {

// A query parameter in PostgreSQL text format; std::nullopt is SQL NULL.
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

// The rows a statement returned. Cheap to copy (shared, immutable).
class Rows {
 public:
  Rows() = default;  // no rows
  int size() const;
  bool empty() const { return size() == 0; }
  bool IsNull(int row, const char* column) const;
  // The value as text; "" for NULL.
  std::string Text(int row, const char* column) const;
  int64_t Int(int row, const char* column) const;
  bool Bool(int row, const char* column) const;
  // A bytea column, decoded.
  std::string Bytes(int row, const char* column) const;

 private:
  friend class Transaction;
  friend class Pool;
  explicit Rows(std::shared_ptr<PGresult> result) : result_(std::move(result)) {}
  int Column(const char* column) const;
  std::shared_ptr<PGresult> result_;
};

// Maps a failed PGresult (or a connection failure when `result` is null) to a
// status whose message names the SQLSTATE and constraint, never data values.
absl::Status StatusFromResult(const PGresult* result, const PGconn* conn);

// A text[] parameter value, quoted so any element text is safe.
std::string TextArray(const std::vector<std::string>& values);
// A bytea parameter value (hex format).
std::string BytesParam(absl::string_view bytes);
// A timestamptz parameter value (UTC, microseconds).
std::string TimestampParam(absl::Time time);

// Rows for Transaction::CopyIn, in COPY's binary format: each value in its
// type's binary form, which the database stores as it comes, where the
// text format has it parse hex bytea, uuid, array and timestamp text (a
// batch of audit entries went in 40 % faster). A row is Row(n) followed by
// exactly n values, in the order of the COPY's columns:
//
//   db::CopyRows rows;
//   rows.Row(4).Text(log_id).Int32(level).Int64(index).Bytes(hash);
//
// The values of a row can be made apart (outside a lock) and added with
// Append. A value of 2 GiB or more, which COPY cannot carry, makes CopyIn
// refuse the rows.
class CopyRows {
 public:
  CopyRows& Row(int16_t values);
  CopyRows& Null();
  CopyRows& Text(absl::string_view value);
  CopyRows& Bytes(absl::string_view value) { return Text(value); }  // bytea
  CopyRows& Int32(int32_t value);
  CopyRows& Int64(int64_t value);
  // A uuid from its 16 bytes.
  CopyRows& Uuid(absl::string_view bytes);
  CopyRows& Timestamp(absl::Time time);  // timestamptz
  CopyRows& BytesArray(const std::vector<std::string>& values);  // bytea[]
  CopyRows& Append(const CopyRows& values);

  bool empty() const { return data_.empty(); }
  bool too_large() const { return too_large_; }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
  bool too_large_ = false;
};

class Pool;
struct PipelineStep;  // db.cc's

// A statement of a hot path, prepared once per connection and then run by
// name, so that PostgreSQL parses and plans it once instead of per call.
// `name` is unique in the process; both are constants of the store:
//
//   constexpr db::Prepared kStoreSignals{"intake_store_signals", R"sql(...)sql"};
struct Prepared {
  const char* name;
  const char* sql;
};

// A Prepared whose text is made at run time (a schema's table named in it),
// held by the object that runs it.
struct Statement {
  std::string name;
  std::string sql;
  Prepared prepared() const { return {name.c_str(), sql.c_str()}; }
};

// A transaction on a pooled connection. Rolled back on destruction unless
// committed. Movable, not copyable. BEGIN and the transaction's settings go
// with its first statement, in one round trip (libpq's pipeline mode; a
// session's first transaction with settings prepares their statement
// first); a transaction that ran no statement sends nothing at all.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  absl::StatusOr<Rows> Query(absl::string_view sql, const Params& params = {});
  absl::Status Exec(absl::string_view sql, const Params& params = {});
  absl::StatusOr<Rows> Query(const Prepared& statement, const Params& params = {});
  absl::Status Exec(const Prepared& statement, const Params& params = {});
  // Runs `statement` when the transaction commits, in the round trip of its
  // COMMIT: for a write that nothing in the transaction waits for, such as a
  // record for the outbox. Its failure is Commit's.
  void ExecAtCommit(const Prepared& statement, Params params);
  // Appends `rows` to a table with COPY FROM STDIN: far cheaper per row
  // than an INSERT for a large batch. `table_and_columns` is constant SQL of
  // the store ("audit.nodes (log_id, level, idx, hash)"), its columns in the
  // order of each row's values.
  absl::Status CopyIn(absl::string_view table_and_columns, const CopyRows& rows);
  // Runs several statements without parameters (the simple query protocol).
  // Only for trusted, constant SQL such as migrations.
  absl::Status ExecScript(absl::string_view sql);
  absl::Status Commit();

 private:
  friend class Pool;
  // What opens the transaction: BEGIN with its isolation level, then its
  // settings as the parameters of one prepared set_config statement (db.cc's
  // kTransactionSettings, in its order); a setting without a value keeps the
  // session's.
  struct Opening {
    std::string begin;
    std::array<std::optional<std::string>, 3> settings;
    bool has_settings() const {
      return std::any_of(settings.begin(), settings.end(), [](const auto& value) { return value.has_value(); });
    }
  };
  // BEGIN, then the settings if there are any. The steps point into `opening`.
  static std::vector<PipelineStep> OpeningSteps(const Opening& opening);
  Transaction(Pool* pool, PGconn* conn, Opening opening)
      : pool_(pool), conn_(conn), opening_(std::move(opening)) {}
  // Runs one statement (`prepared` names it when it is prepared), after the
  // opening while that is still unsent.
  absl::StatusOr<Rows> Run(const char* command, const Prepared* prepared, const Params& params);
  // Sends the opening on its own, for what cannot share its round trip
  // (COPY and scripts).
  absl::Status Open();
  // Sends the opening while unsent, then `after_opening`, in one round trip;
  // the results of all, or the first failure.
  // `last_may_have_run` (if given) tells whether the last step may have
  // taken effect: false when an earlier one failed.
  absl::StatusOr<std::vector<std::shared_ptr<PGresult>>> Send(std::vector<PipelineStep> after_opening,
                                                              bool* last_may_have_run = nullptr);
  Pool* pool_;
  PGconn* conn_;  // null once committed, rolled back or moved from
  std::optional<Opening> opening_;  // until sent
  std::vector<std::pair<Prepared, Params>> at_commit_;
  // After Commit failed: whether its COMMIT may have taken effect (the
  // answer lost), so that running the transaction again could do it twice.
  bool may_have_committed_ = false;
};

enum class Isolation { kReadCommitted, kSerializable };

struct TransactionOptions {
  Isolation isolation = Isolation::kReadCommitted;
  // Waits at most until then for a connection; also bounds every statement
  // (statement_timeout) so a request's deadline is honoured in the database.
  absl::Time deadline = absl::InfiniteFuture();
  // Retries the whole function on serialization failures and deadlocks.
  int max_attempts = 3;
  // Retries the whole function, with growing pauses, while the database is
  // unavailable before COMMIT (a lost connection, a server shutting down or
  // read-only after a failover), for at most this long and never past the
  // deadline: long enough to ride out a Patroni failover (about 5 s here).
  absl::Duration retry_unavailable_for = absl::Seconds(15);
  // Plans the transaction's statements without sequential or bitmap scans,
  // for a queue table such as an outbox: its statistics swing between empty
  // and thousands of rows, and a statement prepared while it was empty kept
  // a plan that read the whole table (up to half a second for a relay's
  // batch). Only plans made in such transactions: a plan the session cached
  // for the same statement elsewhere stays as it is, so a statement meant
  // for these runs in no other.
  bool index_scans_only = false;
  // Runs every statement with parameters on a plan made without their
  // values: for seeks by key, whose best plan does not depend on them.
  // PostgreSQL otherwise plans a prepared statement again on every run while
  // it judges a plan for the values cheaper, and some it judges so for good:
  // the audit log's head (planned in 0.49 ms, run in 0.16), a proof's read
  // (0.26 and 0.35 ms) and the relays' statements. A prepared statement's
  // generic plan is kept by its session (until an ANALYZE or a change of
  // schema invalidates it) and may serve its runs elsewhere too, so such a
  // statement runs only in these transactions. A statement sent as text is
  // planned on every run, here without its values: not for a query whose
  // plan should follow the filters given. Pair it with index_scans_only where
  // the plan may be made while a table's statistics say it is empty.
  bool generic_plans = false;
};

// What a pool holds now, and how long transactions waited for a connection
// since it opened (for the metrics endpoint).
struct PoolStats {
  int size = 0;  // the most connections it keeps
  int open = 0;  // idle and in use
  int idle = 0;
  // Waits at or below each of kWaitBounds (seconds), then those above the
  // last; not cumulative. And their sum.
  static constexpr std::array<double, 7> kWaitBounds = {0.0001, 0.001, 0.005, 0.025, 0.1, 0.5, 2.5};
  std::array<uint64_t, kWaitBounds.size() + 1> waits = {};
  double wait_seconds = 0;
};

class Pool {
 public:
  // Checks that the database is reachable, then keeps up to `size`
  // connections, opened on demand.
  static absl::StatusOr<std::unique_ptr<Pool>> Open(std::string conninfo, int size);
  ~Pool();

  absl::StatusOr<Transaction> Begin(const TransactionOptions& options = {});

  // Runs `fn` in a transaction and commits when it returns OK; rolls back
  // otherwise. Retries on serialization failure or deadlock (ABORTED).
  absl::Status InTransaction(const std::function<absl::Status(Transaction&)>& fn,
                             const TransactionOptions& options = {});

  // Runs one statement in a transaction of its own.
  absl::StatusOr<Rows> Query(absl::string_view sql, const Params& params = {},
                             const TransactionOptions& options = {});

  // Runs one statement in a transaction of its own, as InTransaction would
  // (its options hold), in one round trip (libpq's pipeline mode: BEGIN, the
  // settings, the statement and COMMIT sent together) where InTransaction
  // takes two; the first use on a session prepares the statement first.
  // Whether a COMMIT whose answer was lost took effect cannot be told, and
  // the statement is run again however its connection was lost: give it only
  // statements whose second run does no harm, a read or a write the caller
  // may see done twice.
  absl::StatusOr<Rows> OneStatement(const Prepared& statement, const Params& params = {},
                                    const TransactionOptions& options = {});

  const std::string& conninfo() const { return conninfo_; }
  PoolStats Stats();

 private:
  friend class Transaction;
  Pool(std::string conninfo, int size) : conninfo_(std::move(conninfo)), size_(size) {}
  // A connection, waiting at most until `deadline`; the wait is counted.
  absl::StatusOr<PGconn*> Acquire(absl::Time deadline);
  absl::StatusOr<PGconn*> AcquireUncounted(absl::Time deadline);
  void Release(PGconn* conn);
  absl::StatusOr<PGconn*> Connect();
  // Runs `attempt` again while it fails ABORTED (up to options.max_attempts
  // in all), or UNAVAILABLE while `again` says so, with growing pauses, for
  // at most options.retry_unavailable_for.
  absl::Status Retrying(const TransactionOptions& options, const std::function<absl::Status()>& attempt,
                        const std::function<bool()>& again);
  absl::StatusOr<Rows> OneStatementOnce(const Prepared& statement, const Params& params,
                                        const TransactionOptions& options);
  // The first step of a pipeline that failed and why, as FailedRun gives it;
  // UNAVAILABLE at the first step without a result when the connection
  // broke; (steps.size(), OK) if all went well.
  std::pair<size_t, absl::Status> PipelineFailure(PGconn* conn, const std::vector<PipelineStep>& steps,
                                                  const std::vector<std::shared_ptr<PGresult>>& results);
  // The status of a failed run of `statement`: ABORTED, to run it again,
  // when the session had lost it (26000) or prepared it before the schema
  // changed its result (0A000); the database's error otherwise.
  // (`statement` null: one sent as text.)
  absl::Status FailedRun(PGconn* conn, const Prepared* statement, const PGresult* result);
  // Prepares `statement` in `conn`'s session unless it has been already.
  absl::Status Prepare(PGconn* conn, const Prepared& statement);
  // How a transaction with `options` opens; its statement timeout is what
  // is left until the deadline now.
  static absl::StatusOr<Transaction::Opening> OpeningFor(const TransactionOptions& options);
  // Whether `conn`'s session has `name` prepared; MarkPrepared() records that it has.
  bool IsPrepared(PGconn* conn, const char* name);
  void MarkPrepared(PGconn* conn, const char* name);
  // The session ended (closed or reset): what it had prepared is gone.
  void ForgetPrepared(PGconn* conn);

  const std::string conninfo_;
  const int size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_ ABSL_GUARDED_BY(mutex_);
  int open_ ABSL_GUARDED_BY(mutex_) = 0;
  std::map<PGconn*, std::set<std::string>> prepared_ ABSL_GUARDED_BY(mutex_);
  // Sessions to end when released: their prepared statements outlived a
  // change of the schema (FailedRun).
  std::set<PGconn*> outdated_ ABSL_GUARDED_BY(mutex_);
  PoolStats waited_ ABSL_GUARDED_BY(mutex_);
};

// Opens one connection outside any pool, for administrative work such as
// creating databases in tests and tools.
absl::Status ExecuteOnce(const std::string& conninfo, absl::string_view sql);

}  // namespace hartslag::db

#endif  // HARTSLAG_SERVICES_COMMON_DB_H_
