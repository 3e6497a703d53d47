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
  auto ticket = std::unique_ptr<Ticket>(new Ticket(this, log_id, log, log->issued, entries, log->next_size));
  ++log->issued;
  if (log->next_size) *log->next_size += entries;
  log->outstanding_entries += entries;
  return ticket;
}

bool AppendOrder::Ticket::WaitTurn(absl::Time deadline) {
  std::unique_lock<std::mutex> lock(order_->mutex_);
  Log& log = *log_;
  while (log.serving < number_) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      // The tickets still ahead are late: this one goes first, and what
      // they will have written is unknown until one commits after them.
      for (uint64_t n = log.serving; n < number_; ++n) {
        if (log.left_early.erase(n) == 0) log.late.insert(n);
      }
      log.serving = number_;
      log.next_size.reset();
      return false;
    }
    // In steps: an infinite wait_for overflows the clock and returns at once.
    log.turn.wait_for(lock, absl::ToChronoNanoseconds(std::min(left, absl::Seconds(1))));
  }
  return true;
}

AppendOrder::Ticket::~Ticket() { order_->Leave(*this); }

void AppendOrder::Leave(Ticket& ticket) {
  std::lock_guard<std::mutex> lock(mutex_);
  Log& log = *ticket.log_;
  log.outstanding_entries -= ticket.entries_;
  const bool as_expected = ticket.expected_size_ && ticket.committed_size_ &&
                           *ticket.committed_size_ == *ticket.expected_size_ + ticket.entries_;
  if (!as_expected) {
    // It failed, or appended elsewhere or other than expected: the tickets
    // behind it expected wrongly, and a commit tells the size again.
    log.next_size.reset();
  }
  if (log.late.erase(ticket.number_) == 1) {
    log.settled_from = log.issued;
  } else {
    if (ticket.number_ == log.serving) {
      ++log.serving;
      while (log.left_early.erase(log.serving) == 1) ++log.serving;
      log.turn.notify_all();
    } else if (ticket.number_ > log.serving) {
      log.left_early.insert(ticket.number_);
    }
  }
  if (ticket.committed_size_ && !log.next_size && log.late.empty() && ticket.number_ >= log.settled_from) {
    log.next_size = *ticket.committed_size_ + log.outstanding_entries;
  }
  if (log.serving == log.issued && log.late.empty() && logs_.size() > kMostLogsKept) {
    auto it = logs_.find(ticket.log_id_);
    if (it != logs_.end() && it->second == ticket.log_) logs_.erase(it);
  }
}

}  // namespace hartslag::audit
