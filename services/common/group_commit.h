// GroupCommit: callers that arrive while a batch commits wait together and
// are taken by the next one, so that many share one transaction and one WAL
// flush instead of each waiting for their own. Each caller is answered only
// after the batch that holds its item has ended; synchronous_commit stays on.
//
//   GroupCommit<Item, Answer> group("what", [](const std::vector<const Item*>& items, absl::Time deadline)
//                                       -> absl::StatusOr<std::vector<Answer>> { ... one transaction ... });
//   absl::StatusOr<Answer> answer = group.Submit(item, deadline);
//   bool queued = group.SubmitThen(item, deadline, [](absl::StatusOr<Answer> answer) { ... });
//
// Submit's callers wait for their answer, so they cannot queue more than the
// threads that feed them (a service's worker pool). SubmitThen's do not
// wait: at most `max_waiting` of theirs are queued or in a batch, and past
// that SubmitThen refuses. Thread-safe.
#ifndef HARTSLAG_SERVICES_COMMON_GROUP_COMMIT_H_
#define HARTSLAG_SERVICES_COMMON_GROUP_COMMIT_H_

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/log.h"

namespace hartslag {

// What this process's group commits did since it started, by name
// (process-wide, like RpcMetrics): the metrics endpoint shows them, so that
// an operator sees how many callers share a batch and where they wait.
struct GroupCommitCounts {
  uint64_t batches = 0;
  uint64_t items = 0;
  uint64_t failed_batches = 0;
  double queued_seconds = 0;   // summed over items: from queued to their batch's start
  double running_seconds = 0;  // summed over batches
  static void Add(const std::string& name, const GroupCommitCounts& counts);
  static std::map<std::string, GroupCommitCounts> All();
};

struct GroupCommitOptions {
  int max_batch = 128;
  // Batches committing at the same time (each on its own connection), so
  // that the next batch is written while the one before waits for its flush.
  int committers = 2;
  // SubmitThen's items queued or in a batch.
  int max_waiting = 1024;
};

template <typename Item, typename Answer>
class GroupCommit {
 public:
  // Stores a batch in one transaction: one answer per item, in their order,
  // or the error that failed the batch as a whole. Items point at what the
  // callers hold, which stays valid until they are answered.
  using Run = std::function<absl::StatusOr<std::vector<Answer>>(const std::vector<const Item*>& items,
                                                                absl::Time deadline)>;

  // However long the callers would wait, a batch is given at most this.
  static constexpr absl::Duration kLongestBatch = absl::Seconds(10);

  // `name` names the batches in the service log.
  GroupCommit(std::string name, Run run, GroupCommitOptions options = {})
      : name_(std::move(name)), run_(std::move(run)), options_(options) {
    for (int i = 0; i < std::max(1, options_.committers); ++i) committers_.emplace_back([this] { Commit(); });
  }
  ~GroupCommit() {  // stores what is queued, then stops
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    queued_.notify_all();
    for (std::thread& t : committers_) t.join();
  }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // `item`'s answer from the next batch, or the error that failed it.
  absl::StatusOr<Answer> Submit(const Item& item, absl::Time deadline) {
    Pending pending{&item, deadline, absl::Now(), absl::InternalError("not run"), false, {}, {}};
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) return absl::UnavailableError(absl::StrCat(name_, ": stopping"));
    queue_.push_back(&pending);
    queued_.notify_one();
    // Waits for the batch even past the deadline: it ends within
    // kLongestBatch, and a caller must not be told "failed" about an item
    // that was stored.
    pending.answered.wait(lock, [&] { return pending.done; });
    return std::move(pending.answer);
  }

  // Queues `item` and returns at once; `then` gets its answer, or the error
  // that failed its batch, on a committer's thread once the batch has ended,
  // and must not wait for long: the next batch waits for it. `item` must stay
  // valid until then. False, and `then` is never called, when max_waiting
  // such items wait already or the group is stopping. A `then` that throws
  // is logged and let go (what it holds is released); the next go on.
  bool SubmitThen(const Item& item, absl::Time deadline, std::function<void(absl::StatusOr<Answer>)> then) {
    auto pending = std::make_unique<Pending>();
    pending->item = &item;
    pending->deadline = deadline;
    pending->queued = absl::Now();
    pending->then = std::move(then);
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || waiting_ >= options_.max_waiting) return false;
    ++waiting_;
    queue_.push_back(pending.release());  // the committer that answers it deletes it
    queued_.notify_one();
    return true;
  }

  // Callers queued for the next batch (not those of batches running).
  int queued() {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(queue_.size());
  }

 private:
  struct Pending {
    const Item* item;
    absl::Time deadline;
    absl::Time queued;
    absl::StatusOr<Answer> answer = absl::InternalError("not run");
    bool done = false;
    // Its own, so that a batch's end wakes its callers and not every caller
    // that waits (64 threads, on two cores, for each batch).
    std::condition_variable answered;
    // SubmitThen's: called with the answer instead of waking a caller.
    std::function<void(absl::StatusOr<Answer>)> then;
  };

  void Commit() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to store
      std::vector<Pending*> batch;
      while (!queue_.empty() && static_cast<int>(batch.size()) < options_.max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();

      const absl::Time started = absl::Now();
      GroupCommitCounts counts{.batches = 1, .items = batch.size()};
      std::vector<const Item*> items;
      absl::Time deadline = absl::InfinitePast();
      for (const Pending* p : batch) {
        items.push_back(p->item);
        deadline = std::max(deadline, p->deadline);
        // Never negative, though the clock may be set back between.
        counts.queued_seconds += std::max(0.0, absl::ToDoubleSeconds(started - p->queued));
      }
      deadline = std::min(deadline, started + kLongestBatch);
      absl::StatusOr<std::vector<Answer>> answers = absl::InternalError("not run");
      try {
        answers = run_(items, deadline);
      } catch (const std::exception&) {
        // A committer thread must never end the process: the batch fails.
        answers = absl::InternalError(absl::StrCat(name_, ": the batch threw"));
      }
      if (answers.ok() && answers->size() != batch.size()) {
        answers = absl::InternalError(absl::StrCat(name_, ": a batch answered ", answers->size(), " of ",
                                                   batch.size(), " items"));
      }
      counts.running_seconds = std::max(0.0, absl::ToDoubleSeconds(absl::Now() - started));
      counts.failed_batches = answers.ok() ? 0 : 1;
      GroupCommitCounts::Add(name_, counts);
      if (!answers.ok()) {
        Log(LogLevel::kWarning, "group_commit_failed",
            {{"batch", name_},
             {"items", std::to_string(batch.size())},
             {"status", std::string(absl::StatusCodeToString(answers.status().code()))}});
      }

      std::vector<std::unique_ptr<Pending>> thens;
      lock.lock();
      for (size_t i = 0; i < batch.size(); ++i) {
        if (answers.ok()) batch[i]->answer = std::move((*answers)[i]);
        else batch[i]->answer = answers.status();
        if (batch[i]->then) {
          thens.emplace_back(batch[i]);
          --waiting_;
          continue;
        }
        batch[i]->done = true;
        batch[i]->answered.notify_one();
      }
      lock.unlock();
      for (std::unique_ptr<Pending>& p : thens) {
        try {
          p->then(std::move(p->answer));
        } catch (const std::exception&) {
          // As for a batch: the committer goes on, and so do the others' answers.
          Log(LogLevel::kError, "group_commit_answer_threw", {{"batch", name_}});
        }
      }
      thens.clear();  // what the answers held is let go before the lock is taken
      lock.lock();
    }
  }

  const std::string name_;
  const Run run_;
  const GroupCommitOptions options_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  int waiting_ ABSL_GUARDED_BY(mutex_) = 0;  // SubmitThen's items, queued or in a batch
  std::vector<std::thread> committers_;
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_GROUP_COMMIT_H_
