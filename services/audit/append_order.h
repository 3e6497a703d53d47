// AppendOrder: the order in which this process's appends to a log take the
// log's lock, and the index at which each can expect its first entry.
//
// The log's advisory lock in the database is the sequencer, and what an
// append writes under it bounds the log's throughput. An append that knows
// its first index before it takes the lock can write everything keyed by
// that index (its search rows) first, while another append holds the lock.
// That index is known here once an append of this process has committed:
// the next one starts where the appends ahead of it end. The database stays
// the judge: under the lock the append checks the log's size, and if it is
// not the expected one (an append ahead failed, another process appended)
// it rolls back and is made again without an expectation.
//
// Tickets take the lock in the order they were handed out, so that an append
// does not find the appends ahead of it missing. Take a ticket only while
// holding a database connection: a ticket ahead must never wait for one that
// the tickets behind it hold. A ticket whose turn does not come in time
// passes the tickets ahead (they are late): the order is for speed, not
// safety, and one slow append must not hold up the rest.
// Thread-safe.
#ifndef HARTSLAG_SERVICES_AUDIT_APPEND_ORDER_H_
#define HARTSLAG_SERVICES_AUDIT_APPEND_ORDER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace hartslag::audit {

class AppendOrder {
 private:
  struct Log;

 public:
  // One append's place in its log's order. Leaves its place when destroyed:
  // as committed after Committed(), else as failed.
  class Ticket {
   public:
    Ticket(Ticket&&) = delete;
    ~Ticket();

    // The log's size before this append if every append ahead of it
    // commits; nullopt when this process does not know it.
    std::optional<uint64_t> expected_size() const { return expected_size_; }
    // Waits until every ticket ahead has left (true), or until `deadline`
    // (false: the tickets still ahead are passed, and the expected size is
    // no longer to be trusted).
    bool WaitTurn(absl::Time deadline);
    // The append committed, leaving the log `size` entries long.
    void Committed(uint64_t size) { committed_size_ = size; }

   private:
    friend class AppendOrder;
    Ticket(AppendOrder* order, std::string log_id, std::shared_ptr<Log> log, uint64_t number, uint64_t entries,
           std::optional<uint64_t> expected_size)
        : order_(order), log_id_(std::move(log_id)), log_(std::move(log)), number_(number), entries_(entries),
          expected_size_(expected_size) {}

    AppendOrder* order_;
    std::string log_id_;
    std::shared_ptr<Log> log_;
    uint64_t number_;
    uint64_t entries_;
    std::optional<uint64_t> expected_size_;
    std::optional<uint64_t> committed_size_;
  };

  // A place for an append of `entries` new entries to `log_id`.
  std::unique_ptr<Ticket> Enter(const std::string& log_id, uint64_t entries);

 private:
  struct Log {
    uint64_t issued = 0;   // tickets handed out
    uint64_t serving = 0;  // whose turn it is
    std::set<uint64_t> left_early;  // ahead of `serving`, left before their turn
    std::set<uint64_t> late;        // behind `serving`, passed, not left yet
    // Tickets from this one on were handed out after the last late ticket
    // left: only their commits tell the size (one before may have committed
    // before a late one did).
    uint64_t settled_from = 0;
    uint64_t outstanding_entries = 0;  // of tickets handed out and not left
    // The log's size once every ticket handed out has committed.
    std::optional<uint64_t> next_size;
    std::condition_variable turn;
  };
  void Leave(Ticket& ticket);

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Log>> logs_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace hartslag::audit

#endif  // HARTSLAG_SERVICES_AUDIT_APPEND_ORDER_H_
