#include "services/common/feed.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace hartslag {

Doorbell::Doorbell(absl::Duration poll, Probe probe) {
  ticker_ = std::make_unique<PeriodicTask>(poll, [this, poll, probe = std::move(probe), last = std::optional<int64_t>()]() mutable {
    if (!probe) {
      Ring();
    } else {
      // A failed probe rings: the streams then look (and fail) themselves.
      absl::StatusOr<int64_t> now = probe();
      Wake(/*changed=*/!now.ok() || *now != last);
      last = now.ok() ? std::optional<int64_t>(*now) : std::nullopt;
    }
    return poll;
  });
}

Doorbell::~Doorbell() = default;

uint64_t Doorbell::rings() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rings_;
}

uint64_t Doorbell::changes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return changes_;
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

void Doorbell::Ring() { Wake(/*changed=*/true); }

void Doorbell::Wake(bool changed) {
  std::vector<std::weak_ptr<Listener>> woken;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++rings_;
    if (changed) ++changes_;
    woken.swap(waiting_);
  }
  // Outside the lock: a listener takes its own lock and may Await again.
  for (const std::weak_ptr<Listener>& listener : woken) {
    if (std::shared_ptr<Listener> alive = listener.lock()) alive->Wake();
  }
}

absl::StatusOr<std::shared_ptr<void>> StreamLimit::Acquire(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(counts_->mutex);
    int& open = counts_->open[key];
    if (open >= max_) {
      if (open == 0) counts_->open.erase(key);
      return absl::ResourceExhaustedError(
          absl::StrCat("at most ", max_, " streams per organisation are open at once; close one first"));
    }
    ++open;
  }
  return std::shared_ptr<void>(nullptr, [counts = counts_, key](void*) {
    std::lock_guard<std::mutex> lock(counts->mutex);
    if (--counts->open[key] == 0) counts->open.erase(key);
  });
}

int StreamLimit::total() const {
  std::lock_guard<std::mutex> lock(counts_->mutex);
  int total = 0;
  for (const auto& [key, n] : counts_->open) total += n;
  return total;
}

int StreamLimit::open(const std::string& key) const {
  std::lock_guard<std::mutex> lock(counts_->mutex);
  auto it = counts_->open.find(key);
  return it == counts_->open.end() ? 0 : it->second;
}

}  // namespace hartslag
