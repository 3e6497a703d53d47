#include "services/audit/append_order.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace hartslag::audit {
namespace {

// Logs are tenants, a few dozen; past this many, a log with no append under
// way is forgotten (its next append then learns the size under the lock).
constexpr size_t kMostLogsKept = 1024;

}  // namespace

std::unique_ptr<AppendOrder::Ticket> AppendOrder::Enter(const std::string& log_id, uint64_t entries) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Log>& log = logs_[log_id];
  if (log == nullptr) log = std::make_shared<Log>();
  std::optional<uint64_t> expected = log->next_size;
  if (log->next_size) *log->next_size += entries;
  log->outstanding_entries += entries;
  return std::unique_ptr<Ticket>(new Ticket(this, log, log->issued++, entries, expected));
}

bool AppendOrder::Ticket::WaitTurn(absl::Time deadline) {
  std::unique_lock<std::mutex> lock(order_->mutex_);
  while (log_->serving != number_) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    // In steps: an infinite wait_for overflows the clock and returns at once.
    log_->turn.wait_for(lock, absl::ToChronoNanoseconds(std::min(left, absl::Seconds(1))));
  }
  return true;
}

AppendOrder::Ticket::~Ticket() { order_->Leave(*this); }

void AppendOrder::Leave(Ticket& ticket) {
  std::lock_guard<std::mutex> lock(mutex_);
  Log& log = *ticket.log_;
  log.outstanding_entries -= ticket.entries_;
  if (!ticket.committed_size_) {
    // The appends behind this one expected its entries: they will find the
    // log shorter, and the next to commit tells the size again.
    log.next_size.reset();
  } else if (!log.next_size) {
    log.next_size = *ticket.committed_size_ + log.outstanding_entries;
  }
  if (ticket.number_ != log.serving) {
    log.left_early.insert(ticket.number_);  // its turn did not come in time
    return;
  }
  ++log.serving;
  while (log.left_early.erase(log.serving) == 1) ++log.serving;
  log.turn.notify_all();
  if (log.serving == log.issued && logs_.size() > kMostLogsKept) {
    for (auto it = logs_.begin(); it != logs_.end(); ++it) {
      if (it->second.get() == &log) {
        logs_.erase(it);
        break;
      }
    }
  }
}

}  // namespace hartslag::audit
