#include "services/common/feed.h"

namespace hartslag {

Doorbell::Doorbell(absl::Duration poll) {
  ticker_ = std::thread([this, poll] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_.wait_for(lock, absl::ToChronoMilliseconds(poll), [this] { return stopping_; })) {
      lock.unlock();
      Ring();
      lock.lock();
    }
  });
}

Doorbell::~Doorbell() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  ticker_.join();
}

uint64_t Doorbell::rings() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rings_;
}

bool Doorbell::Await(std::weak_ptr<Listener> listener, uint64_t seen) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (rings_ != seen || closed_) return false;
  waiting_.push_back(std::move(listener));
  return true;
}

void Doorbell::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  Ring();
}

bool Doorbell::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

void Doorbell::Ring() {
  std::vector<std::weak_ptr<Listener>> woken;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++rings_;
    woken.swap(waiting_);
  }
  // Outside the lock: a listener takes its own lock and may Await again.
  for (const std::weak_ptr<Listener>& listener : woken) {
    if (std::shared_ptr<Listener> alive = listener.lock()) alive->Wake();
  }
}

}  // namespace hartslag
