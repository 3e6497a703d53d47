#include "services/common/periodic_task.h"

#include <algorithm>

namespace hartslag {

PeriodicTask::PeriodicTask(absl::Duration first_wait, Run run)
    : run_(std::move(run)), thread_([this, first_wait] { Loop(first_wait); }) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::Wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void PeriodicTask::Loop(absl::Duration wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    // An infinite or huge wait is a wait until woken; wait_for would overflow.
    auto timeout = absl::ToChronoNanoseconds(std::min(wait, absl::Hours(24 * 365)));
    wake_.wait_for(lock, timeout, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
    lock.unlock();
    wait = run_();
    lock.lock();
  }
}

}  // namespace hartslag
