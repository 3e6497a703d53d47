#include "services/common/outbox.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"

namespace hartslag {

Outbox::Outbox(absl::string_view schema) {
  std::string table = absl::StrCat(schema, ".outbox");
  insert_ = absl::StrCat("INSERT INTO ", table,
                         " (target, tenant_id, event_id, payload) VALUES ($1, $2, $3, $4::bytea)");
  select_batch_ = absl::StrCat("SELECT seq, payload FROM ", table,
                               " WHERE target = $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED");
  delete_batch_ = absl::StrCat("DELETE FROM ", table, " WHERE seq = ANY($1::bigint[])");
  count_ = absl::StrCat("SELECT count(*) AS n FROM ", table, " WHERE target = $1");
}

absl::Status Outbox::Add(db::Transaction& tx, absl::string_view target,
                         const OutboxEvent& event) const {
  return tx.Exec(insert_, {std::string(target), event.tenant, event.event_id,
                           db::BytesParam(event.payload)});
}

absl::StatusOr<int64_t> Outbox::Pending(db::Pool& pool, absl::string_view target) const {
  ASSIGN_OR_RETURN(db::Rows rows, pool.Query(count_, {std::string(target)}));
  return rows.Int(0, "n");
}

OutboxRelay::OutboxRelay(db::Pool* pool, const Outbox* outbox, std::string target, Deliver deliver,
                         Options options)
    : pool_(pool),
      outbox_(outbox),
      target_(std::move(target)),
      deliver_(std::move(deliver)),
      options_(options) {}

OutboxRelay::~OutboxRelay() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> OutboxRelay::DeliverOnce() {
  int delivered = 0;
  // The batch stays locked while it is delivered, so a second relay skips
  // it; the rows go only once the receiver said they are stored.
  RETURN_IF_ERROR(pool_->InTransaction([&](db::Transaction& tx) -> absl::Status {
    delivered = 0;
    ASSIGN_OR_RETURN(db::Rows rows,
                     tx.Query(outbox_->select_batch_, {target_, absl::StrCat(options_.batch_size)}));
    if (rows.empty()) return absl::OkStatus();
    std::vector<std::string> payloads, seqs;
    for (int i = 0; i < rows.size(); ++i) {
      payloads.push_back(rows.Bytes(i, "payload"));
      seqs.push_back(rows.Text(i, "seq"));
    }
    RETURN_IF_ERROR(deliver_(payloads));
    RETURN_IF_ERROR(tx.Exec(outbox_->delete_batch_, {db::TextArray(seqs)}));
    delivered = rows.size();
    return absl::OkStatus();
  }));
  return delivered;
}

void OutboxRelay::Start() { thread_ = std::thread([this] { Loop(); }); }

void OutboxRelay::Nudge() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_all();
}

void OutboxRelay::Loop() {
  absl::Duration backoff = options_.min_backoff;
  bool failing = false;
  for (;;) {
    absl::StatusOr<int> delivered = DeliverOnce();
    absl::Duration wait = options_.idle_poll;
    if (!delivered.ok()) {
      if (!failing) {
        Log(LogLevel::kWarning, "outbox delivery failed; retrying with backoff",
            {{"target", target_}, {"error", delivered.status().ToString()}});
      }
      failing = true;
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    } else {
      if (failing) Log(LogLevel::kInfo, "outbox delivery resumed", {{"target", target_}});
      failing = false;
      backoff = options_.min_backoff;
      if (*delivered == options_.batch_size) wait = absl::ZeroDuration();  // more is waiting
    }
    std::unique_lock<std::mutex> lock(mutex_);
    // A nudge cuts an idle wait short, never a backoff.
    wake_.wait_for(lock, absl::ToChronoNanoseconds(wait),
                   [&] { return stopping_ || (nudged_ && !failing); });
    if (stopping_) return;
    nudged_ = false;
  }
}

}  // namespace hartslag
