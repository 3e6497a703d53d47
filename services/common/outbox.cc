#include "services/common/outbox.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/common/request_bounds.h"
#include "services/common/status_macros.h"

namespace hartslag {

Outbox::Outbox(absl::string_view schema) {
  std::string table = absl::StrCat(schema, ".outbox");
  auto named = [&schema](absl::string_view what, std::string sql) {
    return db::Statement{absl::StrCat(schema, "_outbox_", what), std::move(sql)};
  };
  insert_ = named("insert", absl::StrCat("INSERT INTO ", table,
                                         " (target, tenant_id, event_id, payload) VALUES ($1, $2, $3, $4::bytea)"
                                         " ON CONFLICT (event_id) DO NOTHING"));
  insert_all_ = named("insert_all", absl::StrCat("INSERT INTO ", table, " (target, tenant_id, event_id, payload)"
                                                 " SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::bytea[])"
                                                 " ON CONFLICT (event_id) DO NOTHING"));
  select_batch_ = named("select_batch",
                        absl::StrCat("SELECT seq, tenant_id, event_id::text AS event_id, octet_length(payload) AS bytes,"
                                     " (extract(epoch FROM created_at) * 1000000)::bigint AS created_us FROM ",
                                     table, " WHERE target = $1 AND seq > $3",
                                     " ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED"));
  payloads_ = named("payloads", absl::StrCat("SELECT seq, payload FROM ", table, " WHERE seq = ANY($1::bigint[])"));
  delete_batch_ = named("delete_batch", absl::StrCat("DELETE FROM ", table, " WHERE seq = ANY($1::bigint[])"));
  count_ = absl::StrCat("SELECT count(*) AS n FROM ", table, " WHERE target = $1");
  std::string dead = absl::StrCat(schema, ".dead_letters");
  set_aside_ = absl::StrCat("INSERT INTO ", dead,
                            " (seq, target, tenant_id, event_id, payload, created_at, reason)"
                            " SELECT o.seq, o.target, o.tenant_id, o.event_id, o.payload, o.created_at, $3 FROM ",
                            table, " o WHERE o.seq = $1 AND o.target = $2");
  dead_letters_ = absl::StrCat(
      "SELECT seq, target, tenant_id, event_id::text AS event_id, octet_length(payload) AS bytes,"
      " (extract(epoch FROM created_at) * 1000000)::bigint AS created_us,"
      " (extract(epoch FROM set_aside_at) * 1000000)::bigint AS set_aside_us, reason FROM ",
      dead, " WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3");
  backlogs_ = absl::StrCat(
      "SELECT target, sum(pending)::bigint AS pending, min(oldest_us) AS oldest_us, sum(dead)::bigint AS dead FROM ("
      " SELECT target, count(*) AS pending,"
      " (extract(epoch FROM min(created_at)) * 1000000)::bigint AS oldest_us, 0 AS dead FROM ",
      table, " WHERE $1::text IS NULL OR tenant_id = $1 GROUP BY target"
      " UNION ALL SELECT target, 0, NULL, count(*) FROM ", dead,
      " WHERE $1::text IS NULL OR tenant_id = $1 GROUP BY target) b GROUP BY target ORDER BY target");
  dead_letter_count_ = absl::StrCat("SELECT count(*) AS n FROM ", dead, " WHERE tenant_id = $1");
}

void Outbox::Add(db::Transaction& tx, absl::string_view target, const OutboxEvent& event) const {
  tx.ExecAtCommit(insert_.prepared(), {std::string(target), event.tenant, event.event_id,
                                       db::BytesParam(event.payload)});
}

void Outbox::AddAll(db::Transaction& tx, absl::string_view target, const std::vector<OutboxEvent>& events) const {
  std::vector<std::string> tenants, ids, payloads;
  for (const OutboxEvent& event : events) {
    tenants.push_back(event.tenant);
    ids.push_back(event.event_id);
    payloads.push_back(db::BytesParam(event.payload));
  }
  tx.ExecAtCommit(insert_all_.prepared(),
                  {std::string(target), db::TextArray(tenants), db::TextArray(ids), db::TextArray(payloads)});
}

absl::StatusOr<std::vector<Outbox::Backlog>> Outbox::Backlogs(db::Pool& pool, const std::vector<std::string>& targets,
                                                               const std::optional<std::string>& tenant) const {
  db::TransactionOptions bounded;  // a health figure must not hang on a busy database
  bounded.deadline = absl::Now() + absl::Seconds(5);
  ASSIGN_OR_RETURN(db::Rows rows, pool.Query(backlogs_, {tenant}, bounded));
  std::vector<Backlog> backlogs;
  for (int i = 0; i < rows.size(); ++i) {
    Backlog& b = backlogs.emplace_back();
    b.target = rows.Text(i, "target");
    b.pending = rows.Int(i, "pending");
    if (!rows.IsNull(i, "oldest_us")) b.oldest_pending = absl::FromUnixMicros(rows.Int(i, "oldest_us"));
    b.dead_letters = rows.Int(i, "dead");
  }
  for (const std::string& target : targets) {
    auto known = [&](const Backlog& b) { return b.target == target; };
    if (std::none_of(backlogs.begin(), backlogs.end(), known)) backlogs.emplace_back().target = target;
  }
  std::sort(backlogs.begin(), backlogs.end(), [](const Backlog& a, const Backlog& b) { return a.target < b.target; });
  return backlogs;
}

absl::StatusOr<int64_t> Outbox::Pending(db::Pool& pool, absl::string_view target) const {
  ASSIGN_OR_RETURN(db::Rows rows, pool.Query(count_, {std::string(target)}));
  return rows.Int(0, "n");
}

absl::StatusOr<std::pair<std::vector<Outbox::DeadLetter>, int64_t>> Outbox::DeadLetters(
    db::Pool& pool, const std::string& tenant, std::optional<int64_t> before_seq, int limit,
    absl::Time deadline) const {
  db::TransactionOptions bounded;
  bounded.deadline = deadline;
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool.Query(dead_letters_, {tenant, before_seq ? db::Param(absl::StrCat(*before_seq)) : std::nullopt,
                                              absl::StrCat(limit)}, bounded));
  ASSIGN_OR_RETURN(db::Rows count, pool.Query(dead_letter_count_, {tenant}, bounded));
  std::vector<DeadLetter> letters;
  for (int i = 0; i < rows.size(); ++i) {
    letters.push_back({rows.Int(i, "seq"), rows.Text(i, "target"), rows.Text(i, "tenant_id"),
                       rows.Text(i, "event_id"), rows.Int(i, "bytes"),
                       absl::FromUnixMicros(rows.Int(i, "created_us")),
                       absl::FromUnixMicros(rows.Int(i, "set_aside_us")), rows.Text(i, "reason")});
  }
  return std::make_pair(std::move(letters), count.Int(0, "n"));
}

OutboxRelay::Options& OutboxRelay::Options::WithinReceiverBounds(const google::protobuf::FieldDescriptor* events) {
  max_event_bytes = std::min<int64_t>(max_event_bytes, MaxBytes(events));
  batch_size = std::min(batch_size, MaxItems(events));
  return *this;
}

OutboxRelay::OutboxRelay(db::Pool* pool, const Outbox* outbox, std::string target, Deliver deliver,
                         Options options)
    : pool_(pool),
      outbox_(outbox),
      target_(std::move(target)),
      deliver_(std::move(deliver)),
      options_(options),
      backoff_(options.min_backoff) {}

absl::StatusOr<OutboxRelay::Delivery> OutboxRelay::DeliverBatch() {
  int taken = 0;
  bool full = false;
  // The batch stays locked while it is delivered, so a second relay skips
  // it; the rows go only once the receiver said they are stored, or that it
  // will never store them.
  // The receiver's UNAVAILABLE must not run the delivery again at once: the
  // relay waits by its own backoff.
  db::TransactionOptions once;
  once.retry_unavailable_for = absl::ZeroDuration();
  once.index_scans_only = true;
  once.generic_plans = true;
  const absl::Time started = absl::Now();
  // Also when the clock was set back since the last sweep.
  const bool sweep_due = started >= next_sweep_ || next_sweep_ - started > options_.sweep;
  bool swept = false;
  int64_t last_taken = 0;
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    taken = 0;
    full = false;
    // The batch's sizes first, its payloads then only as far as the batch
    // goes: what a relay holds is bounded by batch_bytes, not by the table.
    auto look_after = [&](int64_t seq) {
      return tx.Query(outbox_->select_batch_.prepared(),
                      {target_, absl::StrCat(options_.batch_size), absl::StrCat(seq)});
    };
    swept = sweep_due;
    ASSIGN_OR_RETURN(db::Rows rows, look_after(swept ? 0 : last_taken_));
    // Nothing after the last event taken, yet the relay was woken: the
    // nudge may be that of an event that committed late, before it.
    if (rows.empty() && !swept) {
      swept = true;
      ASSIGN_OR_RETURN(rows, look_after(0));
    }
    std::vector<std::string> seqs, wanted;  // every row taken; the rows whose payload is sent
    std::map<int, std::string> refused;     // row -> reason
    int64_t bytes = 0;
    for (int i = 0; i < rows.size(); ++i) {
      int64_t size = rows.Int(i, "bytes");
      if (size > options_.max_event_bytes) {
        refused[i] = absl::StrCat("larger than ", options_.max_event_bytes, " bytes");
      } else {
        if (!wanted.empty() && bytes + size > options_.batch_bytes) {
          full = true;
          break;
        }
        bytes += size;
        wanted.push_back(rows.Text(i, "seq"));
      }
      seqs.push_back(rows.Text(i, "seq"));
    }
    std::map<std::string, std::string> payload_of;  // seq -> payload
    std::vector<int> sent;                          // row of each payload sent
    std::vector<std::string> payloads;
    if (!wanted.empty()) {
      ASSIGN_OR_RETURN(db::Rows bodies, tx.Query(outbox_->payloads_.prepared(), {db::TextArray(wanted)}));
      for (int i = 0; i < bodies.size(); ++i) payload_of[bodies.Text(i, "seq")] = bodies.Bytes(i, "payload");
      for (int i = 0; i < static_cast<int>(seqs.size()); ++i) {
        if (refused.contains(i)) continue;
        sent.push_back(i);
        payloads.push_back(payload_of[seqs[i]]);
      }
      ASSIGN_OR_RETURN(std::vector<Refusal> refusals, deliver_(payloads));
      for (const Refusal& r : refusals) {
        if (r.index < 0 || r.index >= static_cast<int>(sent.size())) {
          return absl::InternalError(absl::StrCat("the receiver refused event ", r.index, " of ", sent.size()));
        }
        refused.emplace(sent[r.index], r.reason);  // a repeated refusal counts once
      }
    }
    for (const auto& [row, reason] : refused) {
      Outbox::DeadLetter letter{rows.Int(row, "seq"), target_, rows.Text(row, "tenant_id"), rows.Text(row, "event_id"),
                                rows.Int(row, "bytes"), absl::FromUnixMicros(rows.Int(row, "created_us")),
                                absl::Now(), reason};
      RETURN_IF_ERROR(tx.Exec(outbox_->set_aside_, {rows.Text(row, "seq"), target_, reason}));
      // An oversized payload is never read back: it cannot be a record of
      // a set-aside (those are small), which is all the callback looks for.
      if (on_set_aside_) RETURN_IF_ERROR(on_set_aside_(tx, letter, payload_of[seqs[row]]));
      Log(LogLevel::kError, "outbox event set aside: the receiver can never accept it",
          {{"target", target_}, {"event_id", letter.event_id}, {"reason", reason}});
    }
    if (!seqs.empty()) RETURN_IF_ERROR(tx.Exec(outbox_->delete_batch_.prepared(), {db::TextArray(seqs)}));
    taken = static_cast<int>(seqs.size());
    if (taken > 0) last_taken = rows.Int(taken - 1, "seq");
    full = full || rows.size() >= options_.batch_size;
    return absl::OkStatus();
  }, once));
  if (taken > 0) last_taken_ = last_taken;
  if (swept) next_sweep_ = started + options_.sweep;
  return Delivery{taken, full};
}

std::vector<OutboxRelay::Refusal> OutboxRelay::Refusals(
    const google::protobuf::RepeatedPtrField<common::v1::RefusedItem>& refused) {
  std::vector<Refusal> out;
  for (const common::v1::RefusedItem& r : refused) out.push_back({r.index(), r.reason()});
  return out;
}

void OutboxRelay::Start() {
  task_ = std::make_unique<PeriodicTask>(absl::ZeroDuration(), [this] { return DeliverAndWait(); });
}

void OutboxRelay::Nudge() {
  if (task_ != nullptr && !failing_) task_->Wake();
}

absl::Duration OutboxRelay::DeliverAndWait() {
  // Woken while gathering: the events of the nudge go with the next batch.
  // (At most `gather` more, should the clock have stepped back.)
  if (const absl::Time now = absl::Now(); now < gathering_until_) {
    return std::min(gathering_until_ - now, options_.gather);
  }
  absl::StatusOr<Delivery> delivered = DeliverBatch();
  if (!delivered.ok()) {
    if (!failing_) {
      Log(LogLevel::kWarning, "outbox delivery failed; retrying with backoff",
          {{"target", target_}, {"error", delivered.status().ToString()}});
    }
    failing_ = true;
    absl::Duration wait = backoff_;
    backoff_ = std::min(backoff_ * 2, options_.max_backoff);
    return wait;
  }
  if (failing_) Log(LogLevel::kInfo, "outbox delivery resumed", {{"target", target_}});
  failing_ = false;
  backoff_ = options_.min_backoff;
  if (delivered->taken == 0) return options_.idle_poll;
  if (delivered->full) return absl::ZeroDuration();  // more are waiting
  gathering_until_ = absl::Now() + options_.gather;
  return options_.gather;
}

}  // namespace hartslag
