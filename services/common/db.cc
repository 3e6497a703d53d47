#include "services/common/db.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/status_macros.h"

namespace hartslag::db {
namespace {

constexpr char kSqlStateSerializationFailure[] = "40001";
constexpr char kSqlStateDeadlock[] = "40P01";
constexpr char kSqlStateUnknownPrepared[] = "26000";
constexpr char kSqlStateDuplicatePrepared[] = "42P05";
// A prepared statement run after its result's shape changed: "cached plan
// must not change result type", SQLSTATE 0A000 from this function of the
// server's (the function's name is not translated, the message may be).
constexpr char kSqlStateFeatureNotSupported[] = "0A000";
constexpr char kResultTypeCheck[] = "RevalidateCachedQuery";

std::shared_ptr<PGresult> Own(PGresult* result) {
  return std::shared_ptr<PGresult>(result, PQclear);
}

}  // namespace

int Rows::size() const { return result_ ? PQntuples(result_.get()) : 0; }

int Rows::Column(const char* column) const {
  int index = PQfnumber(result_.get(), column);
  if (index < 0) std::abort();  // a programming error: the store asked for a column it never selected
  return index;
}

bool Rows::IsNull(int row, const char* column) const {
  return PQgetisnull(result_.get(), row, Column(column)) != 0;
}

std::string Rows::Text(int row, const char* column) const {
  int col = Column(column);
  return std::string(PQgetvalue(result_.get(), row, col),
                     PQgetlength(result_.get(), row, col));
}

int64_t Rows::Int(int row, const char* column) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(Text(row, column), &value)) return 0;
  return value;
}

bool Rows::Bool(int row, const char* column) const { return Text(row, column) == "t"; }

std::string Rows::Bytes(int row, const char* column) const {
  std::string text = Text(row, column);
  size_t length = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text.c_str()), &length);
  if (raw == nullptr) return {};
  std::string bytes(reinterpret_cast<char*>(raw), length);
  PQfreemem(raw);
  return bytes;
}

absl::Status StatusFromResult(const PGresult* result, const PGconn* conn) {
  if (conn != nullptr && PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError("database connection lost");
  }
  if (result == nullptr) return absl::UnavailableError("database unreachable");
  const char* state_raw = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string state = state_raw ? state_raw : "";
  const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
  // The primary message can echo input values (personal data), so only the
  // SQLSTATE and the constraint name travel on.
  std::string message = absl::StrCat("database error ", state.empty() ? "unknown" : state);
  if (constraint != nullptr) absl::StrAppend(&message, " on constraint ", constraint);
  if (state == "23505") return absl::AlreadyExistsError(message);
  if (state.rfind("23", 0) == 0) return absl::FailedPreconditionError(message);
  if (state == kSqlStateSerializationFailure || state == kSqlStateDeadlock) {
    return absl::AbortedError(message);
  }
  if (state == "57014") return absl::DeadlineExceededError(message);
  // A message the server could not read (08P01, e.g. a binary COPY value
  // cut short) or binary COPY rows malformed otherwise (22P03, 22P04): a
  // fault of ours, which fails again however often it is sent, and not a
  // bad value of the caller's.
  if (state == "08P01" || state == "22P03" || state == "22P04") return absl::InternalError(message);
  // The connection broke (08), the server is shutting down, crashed or not
  // yet accepting connections (57P01-57P03), or it is read-only now (25006:
  // a primary demoted to a standby in a failover): another server, or this
  // one a moment later, can take the transaction.
  if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03" || state == "25006") {
    return absl::UnavailableError(message);
  }
  if (state.rfind("53", 0) == 0) return absl::ResourceExhaustedError(message);
  // Data the database can never take as given: a bad value (22) or one
  // past a limit of the database (54, e.g. an index row too large).
  if (state.rfind("22", 0) == 0 || state.rfind("54", 0) == 0) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string BytesParam(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string TimestampParam(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6S+00:00", time, absl::UTCTimeZone());
}

Transaction::Transaction(Transaction&& other) noexcept
    : pool_(other.pool_),
      conn_(other.conn_),
      opening_(std::move(other.opening_)),
      at_commit_(std::move(other.at_commit_)) {
  other.conn_ = nullptr;
}

Transaction::~Transaction() {
  if (conn_ == nullptr) return;
  if (!opening_) PQclear(PQexec(conn_, "ROLLBACK"));
  pool_->Release(conn_);
}

// A statement sent in a pipeline: SQL text, or a prepared statement by its name.
struct PipelineStep {
  const char* command;
  const Prepared* prepared = nullptr;
  std::vector<const char*> values = {};
};

namespace {

std::string ResultSqlState(const PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  return state != nullptr ? state : "";
}

std::vector<const char*> Values(const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

bool Succeeded(const PGresult* result) {
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

// A transaction's settings, in one statement prepared once per session, its
// parameters in the order of Transaction::Opening::settings (Pool::OpeningFor);
// NULL keeps the session's own value, which may be a deployment's.
constexpr Prepared kTransactionSettings{"hartslag_transaction_settings", R"sql(
  SELECT set_config('statement_timeout', coalesce($1, current_setting('statement_timeout')), true),
         set_config('enable_seqscan', coalesce($2, current_setting('enable_seqscan')), true),
         set_config('enable_bitmapscan', coalesce($2, current_setting('enable_bitmapscan')), true),
         set_config('plan_cache_mode', coalesce($3, current_setting('plan_cache_mode')), true)
)sql"};

std::string BeginFor(Isolation isolation) {
  return isolation == Isolation::kSerializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN";
}

// Sends `steps` together, in one round trip, and returns the results that
// came back: one for each step, unless the connection broke on the way.
// After a failed step the rest come back PGRES_PIPELINE_ABORTED.
std::vector<std::shared_ptr<PGresult>> Pipelined(PGconn* conn, const std::vector<PipelineStep>& steps) {
  std::vector<std::shared_ptr<PGresult>> results;
  if (PQenterPipelineMode(conn) != 1) return results;
  bool sent = true;
  for (const PipelineStep& step : steps) {
    const int n = static_cast<int>(step.values.size());
    sent = sent && (step.prepared != nullptr
                        ? PQsendQueryPrepared(conn, step.command, n, step.values.data(), nullptr, nullptr, 0)
                        : PQsendQueryParams(conn, step.command, n, nullptr, step.values.data(), nullptr, nullptr, 0)) ==
                       1;
  }
  sent = sent && PQpipelineSync(conn) == 1;
  // Each statement's results end with a null; then comes the sync's result,
  // with no null after it. Two nulls in a row: the connection broke.
  bool synced = false;
  for (int nulls = 0; sent && !synced && nulls < 2;) {
    PGresult* raw = PQgetResult(conn);
    if (raw == nullptr) {
      ++nulls;
      continue;
    }
    nulls = 0;
    if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) {
      PQclear(raw);
      synced = true;
    } else {
      results.push_back(Own(raw));
    }
  }
  // Without the sync the last result may be missing, whatever came.
  if ((PQexitPipelineMode(conn) != 1 || !synced) && !steps.empty()) {
    results.resize(std::min(results.size(), steps.size() - 1));
  }
  return results;
}

}  // namespace

std::vector<PipelineStep> Transaction::OpeningSteps(const Opening& opening) {
  std::vector<PipelineStep> steps = {{opening.begin.c_str()}};
  if (opening.has_settings()) {
    PipelineStep& settings = steps.emplace_back(PipelineStep{kTransactionSettings.name, &kTransactionSettings});
    for (const std::optional<std::string>& value : opening.settings) {
      settings.values.push_back(value ? value->c_str() : nullptr);
    }
  }
  return steps;
}

absl::StatusOr<std::vector<std::shared_ptr<PGresult>>> Transaction::Send(std::vector<PipelineStep> after_opening,
                                                                          bool* last_may_have_run) {
  std::vector<PipelineStep> steps;
  if (opening_) {
    if (opening_->has_settings()) RETURN_IF_ERROR(pool_->Prepare(conn_, kTransactionSettings));
    steps = OpeningSteps(*opening_);
  }
  steps.insert(steps.end(), std::make_move_iterator(after_opening.begin()),
               std::make_move_iterator(after_opening.end()));
  std::vector<std::shared_ptr<PGresult>> results = Pipelined(conn_, steps);
  opening_.reset();  // sent, whatever came of it (the steps pointed into it)
  auto [failed_at, status] = pool_->PipelineFailure(conn_, steps, results);
  // Only a step that failed before the last one, by the server's word (an
  // error with its SQLSTATE), kept the last from running. A broken
  // connection leaves it unknown: libpq then files its own error, without a
  // SQLSTATE, as the result of the step it was waiting for.
  if (last_may_have_run != nullptr) {
    *last_may_have_run = !(failed_at + 1 < steps.size() && failed_at < results.size() &&
                           !ResultSqlState(results[failed_at].get()).empty());
  }
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<Rows> Transaction::Run(const char* command, const Prepared* prepared, const Params& params) {
  ASSIGN_OR_RETURN(std::vector<std::shared_ptr<PGresult>> results, Send({{command, prepared, Values(params)}}));
  return Rows(results.back());
}

absl::Status Transaction::Open() {
  if (!opening_) return absl::OkStatus();
  return Send({}).status();
}

void Transaction::ExecAtCommit(const Prepared& statement, Params params) {
  at_commit_.emplace_back(statement, std::move(params));
}

absl::StatusOr<Rows> Transaction::Query(absl::string_view sql, const Params& params) {
  if (conn_ == nullptr) return absl::FailedPreconditionError("transaction already finished");
  std::string text(sql);
  return Run(text.c_str(), nullptr, params);
}

absl::Status Transaction::Exec(absl::string_view sql, const Params& params) {
  return Query(sql, params).status();
}

absl::StatusOr<Rows> Transaction::Query(const Prepared& statement, const Params& params) {
  if (conn_ == nullptr) return absl::FailedPreconditionError("transaction already finished");
  RETURN_IF_ERROR(pool_->Prepare(conn_, statement));
  return Run(statement.name, &statement, params);
}

absl::Status Transaction::Exec(const Prepared& statement, const Params& params) {
  return Query(statement, params).status();
}

namespace {

// COPY's binary format is big-endian throughout.
void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

// A value's length is an int32, and -1 means NULL.
constexpr size_t kMaxCopyValue = std::numeric_limits<int32_t>::max();

void AppendValue(std::string& out, absl::string_view value) {
  AppendBigEndian(out, value.size(), 4);
  out.append(value.data(), value.size());
}

constexpr uint32_t kByteaOid = 17;
// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 UTC.
constexpr int64_t kPostgresEpochMicros = 946'684'800'000'000;

}  // namespace

CopyRows& CopyRows::Row(int16_t values) {
  AppendBigEndian(data_, static_cast<uint16_t>(values), 2);
  return *this;
}

CopyRows& CopyRows::Null() {
  AppendBigEndian(data_, static_cast<uint32_t>(-1), 4);
  return *this;
}

CopyRows& CopyRows::Text(absl::string_view value) {
  if (value.size() > kMaxCopyValue) {
    too_large_ = true;
    return Null();  // keeps the row's shape; CopyIn refuses the rows
  }
  AppendValue(data_, value);
  return *this;
}

CopyRows& CopyRows::Int32(int32_t value) {
  AppendBigEndian(data_, 4, 4);
  AppendBigEndian(data_, static_cast<uint32_t>(value), 4);
  return *this;
}

CopyRows& CopyRows::Int64(int64_t value) {
  AppendBigEndian(data_, 8, 4);
  AppendBigEndian(data_, static_cast<uint64_t>(value), 8);
  return *this;
}

CopyRows& CopyRows::Uuid(absl::string_view bytes) { return Text(bytes); }

CopyRows& CopyRows::Timestamp(absl::Time time) {
  return Int64(absl::ToUnixMicros(time) - kPostgresEpochMicros);
}

CopyRows& CopyRows::BytesArray(const std::vector<std::string>& values) {
  // ndim, has-nulls, element type, then per dimension its length and lower
  // bound; an empty array has no dimensions.
  std::string array;
  AppendBigEndian(array, values.empty() ? 0 : 1, 4);
  AppendBigEndian(array, 0, 4);
  AppendBigEndian(array, kByteaOid, 4);
  if (!values.empty()) {
    AppendBigEndian(array, values.size(), 4);
    AppendBigEndian(array, 1, 4);
  }
  for (const std::string& v : values) AppendValue(array, v);
  return Text(array);
}

CopyRows& CopyRows::Append(const CopyRows& values) {
  data_.append(values.data_);
  too_large_ = too_large_ || values.too_large_;
  return *this;
}

absl::Status Transaction::CopyIn(absl::string_view table_and_columns, const CopyRows& rows) {
  if (conn_ == nullptr) return absl::FailedPreconditionError("transaction already finished");
  if (rows.too_large()) return absl::InvalidArgumentError("a value to copy is larger than 2 GiB");
  RETURN_IF_ERROR(Open());  // COPY cannot be pipelined
  std::string sql = absl::StrCat("COPY ", table_and_columns, " FROM STDIN (FORMAT binary)");
  auto started = Own(PQexec(conn_, sql.c_str()));
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
    return StatusFromResult(started.get(), conn_);
  }
  // The signature, flags and header extension length; the rows; the end
  // (a field count of -1). Sent in pieces of at most kPiece bytes, however
  // large the batch.
  static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
  static constexpr char kTrailer[] = "\377\377";
  constexpr size_t kPiece = 1 << 20;
  auto put = [this](absl::string_view piece) {
    return PQputCopyData(conn_, piece.data(), static_cast<int>(piece.size())) == 1;
  };
  bool sent = put(absl::string_view(kHeader, sizeof(kHeader) - 1));
  absl::string_view data = rows.data();
  for (size_t at = 0; sent && at < data.size(); at += kPiece) sent = put(data.substr(at, kPiece));
  sent = sent && put(absl::string_view(kTrailer, sizeof(kTrailer) - 1));
  sent = PQputCopyEnd(conn_, sent ? nullptr : "the rows could not be sent") == 1 && sent;
  // The COPY's outcome, then the null that ends the command's results.
  absl::Status status;
  while (PGresult* raw = PQgetResult(conn_)) {
    auto result = Own(raw);
    ExecStatusType rs = PQresultStatus(raw);
    if (status.ok() && rs != PGRES_COMMAND_OK) status = StatusFromResult(raw, conn_);
    if (rs == PGRES_COPY_IN) break;  // the connection failed mid-COPY: nothing more will come
  }
  if (!sent && status.ok()) status = StatusFromResult(nullptr, conn_);
  return status;
}

absl::Status Transaction::ExecScript(absl::string_view sql) {
  if (conn_ == nullptr) return absl::FailedPreconditionError("transaction already finished");
  RETURN_IF_ERROR(Open());
  std::string text(sql);
  auto result = Own(PQexec(conn_, text.c_str()));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return StatusFromResult(result.get(), conn_);
  }
  return absl::OkStatus();
}

absl::Status Transaction::Commit() {
  if (conn_ == nullptr) return absl::FailedPreconditionError("transaction already finished");
  // A transaction that sent nothing and has nothing to run has nothing to commit.
  absl::Status status;
  may_have_committed_ = false;
  if (!opening_ || !at_commit_.empty()) {
    std::vector<PipelineStep> steps;
    for (const auto& [statement, params] : at_commit_) {
      status = pool_->Prepare(conn_, statement);
      if (!status.ok()) break;
      steps.push_back({statement.name, &statement, Values(params)});
    }
    steps.push_back({"COMMIT"});
    if (status.ok()) status = Send(std::move(steps), &may_have_committed_).status();
  }
  at_commit_.clear();
  PGconn* conn = conn_;
  conn_ = nullptr;
  if (!status.ok()) PQclear(PQexec(conn, "ROLLBACK"));
  pool_->Release(conn);
  return status;
}

absl::StatusOr<std::unique_ptr<Pool>> Pool::Open(std::string conninfo, int size) {
  if (size < 1) return absl::InvalidArgumentError("pool size must be at least 1");
  std::unique_ptr<Pool> pool(new Pool(std::move(conninfo), size));
  ASSIGN_OR_RETURN(PGconn * conn, pool->Connect());
  {
    std::lock_guard<std::mutex> lock(pool->mutex_);
    ++pool->open_;
  }
  pool->Release(conn);
  return pool;
}

Pool::~Pool() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (PGconn* conn : idle_) PQfinish(conn);
}

absl::StatusOr<PGconn*> Pool::Connect() {
  PGconn* conn = PQconnectdb(conninfo_.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names host and port, not data; keep its first line.
    std::string reason = PQerrorMessage(conn);
    reason = reason.substr(0, reason.find('\n'));
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to the database: ", reason));
  }
  return conn;
}

absl::StatusOr<PGconn*> Pool::Acquire(absl::Time deadline) {
  const absl::Time start = absl::Now();
  absl::StatusOr<PGconn*> conn = AcquireUncounted(deadline);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  size_t bucket = 0;
  while (bucket < PoolStats::kWaitBounds.size() && seconds > PoolStats::kWaitBounds[bucket]) ++bucket;
  std::lock_guard<std::mutex> lock(mutex_);
  ++waited_.waits[bucket];
  waited_.wait_seconds += seconds;
  return conn;
}

PoolStats Pool::Stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  PoolStats stats = waited_;
  stats.size = size_;
  stats.open = open_;
  stats.idle = static_cast<int>(idle_.size());
  return stats;
}

absl::StatusOr<PGconn*> Pool::AcquireUncounted(absl::Time deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  // The predicate is checked once more at the deadline: a waiter woken just
  // as its deadline passed takes the connection it was woken for, rather
  // than leaving it idle while the next waiter sleeps (Release wakes one).
  auto free = [this] { return !idle_.empty() || open_ < size_; };
  if (deadline == absl::InfiniteFuture()) {
    available_.wait(lock, free);
  } else if (!available_.wait_until(lock, absl::ToChronoTime(deadline), free)) {
    return absl::ResourceExhaustedError("no database connection free before the deadline");
  }
  if (!idle_.empty()) {
    PGconn* conn = idle_.back();
    idle_.pop_back();
    lock.unlock();
    if (PQstatus(conn) != CONNECTION_OK) {
      ForgetPrepared(conn);
      PQreset(conn);
    }
    if (PQstatus(conn) != CONNECTION_OK) {
      PQfinish(conn);
      lock.lock();
      --open_;
      available_.notify_one();
      return absl::UnavailableError("database connection lost");
    }
    return conn;
  }
  ++open_;
  lock.unlock();
  auto conn = Connect();
  if (!conn.ok()) {
    lock.lock();
    --open_;
    available_.notify_one();
  }
  return conn;
}

namespace {

// True while the server reports (PostgreSQL 14 and later, on every change)
// that it is a standby or that transactions are read-only: a session a
// failover left on the wrong side, of no use to a service that writes.
bool ServerIsReadOnly(const PGconn* conn) {
  for (const char* parameter : {"in_hot_standby", "default_transaction_read_only"}) {
    const char* value = PQparameterStatus(conn, parameter);
    if (value != nullptr && std::string_view(value) == "on") return true;
  }
  return false;
}

}  // namespace

void Pool::Release(PGconn* conn) {
  const bool lost = PQstatus(conn) != CONNECTION_OK;
  const bool healthy = !lost && PQtransactionStatus(conn) == PQTRANS_IDLE &&
                       PQpipelineStatus(conn) == PQ_PIPELINE_OFF && !ServerIsReadOnly(conn);
  std::vector<PGconn*> stale;
  bool outdated = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    outdated = outdated_.erase(conn) > 0;
    if (healthy && !outdated) {
      idle_.push_back(conn);
    } else {
      --open_;
    }
    // A lost connection most often means the server went away (a crash, a
    // failover): the idle ones went with it, and would each fail the next
    // transaction that takes them. Connecting anew finds the server that
    // serves now.
    if (lost) {
      stale.swap(idle_);
      open_ -= static_cast<int>(stale.size());
    }
    // One connection came back; after a loss several places opened up.
    if (lost) available_.notify_all();
    else available_.notify_one();
  }
  if (!healthy || outdated) stale.push_back(conn);
  for (PGconn* gone : stale) {
    ForgetPrepared(gone);
    PQfinish(gone);
  }
}

bool Pool::IsPrepared(PGconn* conn, const char* name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = prepared_.find(conn);
  return it != prepared_.end() && it->second.contains(name);
}

void Pool::MarkPrepared(PGconn* conn, const char* name) {
  std::lock_guard<std::mutex> lock(mutex_);
  prepared_[conn].insert(name);
}

void Pool::ForgetPrepared(PGconn* conn) {
  std::lock_guard<std::mutex> lock(mutex_);
  prepared_.erase(conn);
}

namespace {

// The statement timeout that ends a transaction's statements by `deadline`,
// taken once a connection is held; nullopt without a deadline (the server's
// own setting stays).
absl::StatusOr<std::optional<int64_t>> TimeoutUntil(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return std::nullopt;
  int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
  if (ms <= 0) return absl::DeadlineExceededError("deadline passed before the query started");
  return std::min<int64_t>(ms, std::numeric_limits<int32_t>::max());
}

}  // namespace

absl::StatusOr<Transaction::Opening> Pool::OpeningFor(const TransactionOptions& options) {
  ASSIGN_OR_RETURN(std::optional<int64_t> timeout_ms, TimeoutUntil(options.deadline));
  Transaction::Opening opening;
  opening.begin = BeginFor(options.isolation);
  auto& [timeout, scans, plans] = opening.settings;
  if (timeout_ms) timeout = absl::StrCat(*timeout_ms);      // statement_timeout
  if (options.index_scans_only) scans = "off";              // enable_seqscan, enable_bitmapscan
  if (options.generic_plans) plans = "force_generic_plan";  // plan_cache_mode
  return opening;
}

absl::StatusOr<Transaction> Pool::Begin(const TransactionOptions& options) {
  ASSIGN_OR_RETURN(PGconn * conn, Acquire(options.deadline));
  absl::StatusOr<Transaction::Opening> opening = OpeningFor(options);
  if (!opening.ok()) {
    Release(conn);
    return opening.status();
  }
  return Transaction(this, conn, *std::move(opening));
}

absl::Status Pool::Prepare(PGconn* conn, const Prepared& statement) {
  if (IsPrepared(conn, statement.name)) return absl::OkStatus();
  // Should the bookkeeping ever differ from the session (a pooler between
  // us and PostgreSQL), it is corrected and the transaction run again.
  auto prepare = Own(PQprepare(conn, statement.name, statement.sql, 0, nullptr));
  if (!Succeeded(prepare.get())) {
    if (prepare != nullptr && ResultSqlState(prepare.get()) == kSqlStateDuplicatePrepared) {
      MarkPrepared(conn, statement.name);
      return absl::AbortedError(absl::StrCat("statement ", statement.name, " was prepared already"));
    }
    return StatusFromResult(prepare.get(), conn);
  }
  MarkPrepared(conn, statement.name);
  return absl::OkStatus();
}

absl::Status Pool::FailedRun(PGconn* conn, const Prepared* statement, const PGresult* result) {
  if (statement != nullptr && result != nullptr && ResultSqlState(result) == kSqlStateUnknownPrepared) {
    ForgetPrepared(conn);
    return absl::AbortedError(absl::StrCat("statement ", statement->name, " was not prepared in this session"));
  }
  const char* function = result != nullptr ? PQresultErrorField(result, PG_DIAG_SOURCE_FUNCTION) : nullptr;
  if (statement != nullptr && ResultSqlState(result) == kSqlStateFeatureNotSupported && function != nullptr &&
      std::string_view(function) == kResultTypeCheck) {
    // The schema changed under what this process prepared (a newer instance
    // of the service migrated it): every session that prepared the statement
    // fails so until it ends. Those in use end when they are released, the
    // idle ones now; the transaction runs again on a new session.
    std::vector<PGconn*> idle;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      outdated_.insert(conn);
      for (const auto& [session, names] : prepared_) {
        if (names.contains(statement->name)) outdated_.insert(session);
      }
      auto outdated = std::partition(idle_.begin(), idle_.end(), [this](PGconn* c) { return !outdated_.contains(c); });
      idle.assign(outdated, idle_.end());
      idle_.erase(outdated, idle_.end());
      for (PGconn* gone : idle) outdated_.erase(gone);
      open_ -= static_cast<int>(idle.size());
      available_.notify_all();
    }
    for (PGconn* gone : idle) {
      ForgetPrepared(gone);
      PQfinish(gone);
    }
    return absl::AbortedError(absl::StrCat("statement ", statement->name, " was prepared before the schema changed"));
  }
  return StatusFromResult(result, conn);
}

absl::Status Pool::Retrying(const TransactionOptions& options, const std::function<absl::Status()>& attempt,
                            const std::function<bool()>& again) {
  const absl::Time give_up = std::min(options.deadline, absl::Now() + options.retry_unavailable_for);
  absl::Duration backoff = absl::Milliseconds(50);
  int attempts = 0;
  for (;;) {
    absl::Status status = attempt();
    if (absl::IsAborted(status)) {
      if (++attempts < options.max_attempts) continue;
      return status;
    }
    if (!absl::IsUnavailable(status) || !again() || absl::Now() + backoff >= give_up) return status;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
}

absl::Status Pool::InTransaction(const std::function<absl::Status(Transaction&)>& fn,
                                 const TransactionOptions& options) {
  bool committing = false;
  return Retrying(
      options,
      [&]() -> absl::Status {
        committing = false;
        ASSIGN_OR_RETURN(Transaction tx, Begin(options));
        RETURN_IF_ERROR(fn(tx));
        absl::Status committed = tx.Commit();
        committing = tx.may_have_committed_;
        return committed;
      },
      // Unavailable before COMMIT was sent: nothing was committed, so the
      // transaction can run again on the server that serves next. A COMMIT
      // whose answer was lost may or may not have committed: that goes back
      // to the caller, whose retry the request id makes safe.
      [&] { return !committing; });
}

absl::StatusOr<Rows> Pool::OneStatement(const Prepared& statement, const Params& params,
                                        const TransactionOptions& options) {
  Rows rows;
  RETURN_IF_ERROR(Retrying(
      options,
      [&]() -> absl::Status {
        ASSIGN_OR_RETURN(rows, OneStatementOnce(statement, params, options));
        return absl::OkStatus();
      },
      [] { return true; }));
  return rows;
}

absl::StatusOr<Rows> Pool::OneStatementOnce(const Prepared& statement, const Params& params,
                                            const TransactionOptions& options) {
  if (options.deadline <= absl::Now()) return absl::DeadlineExceededError("deadline passed before the query started");
  ASSIGN_OR_RETURN(PGconn * conn, Acquire(options.deadline));
  absl::StatusOr<Rows> rows = [&]() -> absl::StatusOr<Rows> {
    ASSIGN_OR_RETURN(const Transaction::Opening opening, OpeningFor(options));
    RETURN_IF_ERROR(Prepare(conn, statement));
    if (opening.has_settings()) RETURN_IF_ERROR(Prepare(conn, kTransactionSettings));
    std::vector<PipelineStep> steps = Transaction::OpeningSteps(opening);
    steps.push_back({statement.name, &statement, Values(params)});
    steps.push_back({"COMMIT"});
    std::vector<std::shared_ptr<PGresult>> results = Pipelined(conn, steps);
    absl::Status status = PipelineFailure(conn, steps, results).second;
    // A failed statement leaves its transaction open and aborted.
    if (PQpipelineStatus(conn) == PQ_PIPELINE_OFF && PQtransactionStatus(conn) == PQTRANS_INERROR) {
      PQclear(PQexec(conn, "ROLLBACK"));
    }
    if (!status.ok()) return status;
    return Rows(results[steps.size() - 2]);
  }();
  Release(conn);
  return rows;
}

std::pair<size_t, absl::Status> Pool::PipelineFailure(PGconn* conn, const std::vector<PipelineStep>& steps,
                                                      const std::vector<std::shared_ptr<PGresult>>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (Succeeded(results[i].get())) continue;
    if (PQresultStatus(results[i].get()) == PGRES_PIPELINE_ABORTED) {
      return {i, absl::InternalError("pipeline aborted without an error")};  // never seen; not taken for no rows
    }
    return {i, FailedRun(conn, steps[i].prepared, results[i].get())};
  }
  if (results.size() < steps.size()) return {results.size(), absl::UnavailableError("database connection lost")};
  return {steps.size(), absl::OkStatus()};
}

absl::StatusOr<Rows> Pool::Query(absl::string_view sql, const Params& params,
                                 const TransactionOptions& options) {
  Rows rows;
  RETURN_IF_ERROR(InTransaction(
      [&](Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(rows, tx.Query(sql, params));
        return absl::OkStatus();
      },
      options));
  return rows;
}

absl::Status ExecuteOnce(const std::string& conninfo, absl::string_view sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  absl::Status status;
  if (PQstatus(conn) != CONNECTION_OK) {
    status = StatusFromResult(nullptr, conn);
  } else {
    std::string text(sql);
    PGresult* result = PQexec(conn, text.c_str());
    ExecStatusType rs = PQresultStatus(result);
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) status = StatusFromResult(result, conn);
    PQclear(result);
  }
  PQfinish(conn);
  return status;
}

}  // namespace hartslag::db
