#include "services/intake/submit_batcher.h"

#include <algorithm>
#include <exception>

#include "services/common/log.h"

namespace hartslag::intake {

// However long the callers would wait, a batch's statements end within this.
constexpr absl::Duration kLongestBatch = absl::Seconds(10);

SubmitBatcher::SubmitBatcher(SignalStore* store, Options options) : store_(store), options_(options) {
  for (int i = 0; i < std::max(1, options_.committers); ++i) committers_.emplace_back([this] { Commit(); });
}

SubmitBatcher::~SubmitBatcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (std::thread& t : committers_) t.join();
}

std::optional<v1::Signal> SubmitBatcher::Submit(const BatchedSubmission& item, absl::Time deadline) {
  Pending pending{&item, deadline, std::nullopt, false, {}};
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) return std::nullopt;
  queue_.push_back(&pending);
  queued_.notify_one();
  // Waits for the batch even past the deadline: it ends within kLongestBatch,
  // and the caller must not be told "failed" about a signal that was stored.
  pending.answered.wait(lock, [&] { return pending.done; });
  return std::move(pending.stored);
}

void SubmitBatcher::Commit() {
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

    std::vector<BatchedSubmission> items;
    absl::Time deadline = absl::InfinitePast();
    for (const Pending* p : batch) {
      items.push_back(*p->item);
      deadline = std::max(deadline, p->deadline);
    }
    deadline = std::min(deadline, absl::Now() + kLongestBatch);
    absl::StatusOr<std::vector<std::optional<v1::Signal>>> stored = absl::InternalError("not run");
    try {
      stored = store_->SubmitBatch(items, deadline);
    } catch (const std::exception&) {
      // A committer thread must never end the process: the batch fails and
      // its submissions take the one-by-one way.
      stored = absl::InternalError("the batch threw");
    }
    if (!stored.ok()) {
      Log(LogLevel::kWarning, "submit_batch_failed",
          {{"signals", std::to_string(batch.size())}, {"status", std::string(absl::StatusCodeToString(stored.status().code()))}});
    }

    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (stored.ok()) batch[i]->stored = std::move((*stored)[i]);
      batch[i]->done = true;
      batch[i]->answered.notify_one();
    }
  }
}

}  // namespace hartslag::intake
