// The gRPC side of a feed stream (feed.h). FeedReactor holds no thread while
// it waits or while the client reads: reading runs on the worker pool,
// writing on gRPC's callbacks. It is owned by itself (a shared_ptr released
// in OnDone) and by the work it has queued, so a late wake-up never touches
// a finished stream. At most one step or write is in flight at a time.
#ifndef HARTSLAG_SERVICES_COMMON_FEED_STREAM_H_
#define HARTSLAG_SERVICES_COMMON_FEED_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/feed.h"

namespace hartslag {

class WorkerPool;

// Posts `work` to the pool; defined in server.cc (the pool lives there).
// TryPostWork refuses (false) when the pool's queue is full.
void PostWork(WorkerPool* workers, std::function<void()> work);
bool TryPostWork(WorkerPool* workers, std::function<void()> work);

template <typename Event>
class FeedReactor final : public grpc::ServerWriteReactor<Event>, public Doorbell::Listener {
 public:
  // The next page of events after the stream's position (which the step
  // keeps); empty when there are none yet.
  using Step = std::function<absl::StatusOr<std::vector<Event>>()>;
  // Runs once on a worker: checks the caller and the request and returns
  // the step, or the status to end with.
  using Open = std::function<absl::StatusOr<Step>()>;
  // Called once with the status the stream ends with and how many events
  // it wrote; returns the status to send.
  using OnEnd = std::function<grpc::Status(const absl::Status&, int64_t written)>;

  // Starts serving; the reactor deletes itself when the call is done.
  static FeedReactor* Start(WorkerPool* workers, Doorbell* doorbell, Open open, OnEnd on_end) {
    auto* reactor = new FeedReactor(workers, doorbell, std::move(on_end));
    std::shared_ptr<FeedReactor> self(reactor);
    {
      std::lock_guard<std::mutex> lock(reactor->mutex_);
      reactor->self_ = self;
    }
    // Opening a stream is a new call: it waits in the pool's bounded queue
    // like any other (its later steps are work already admitted).
    bool queued = TryPostWork(workers, [self, open = std::move(open)] {
      absl::StatusOr<Step> step = open();
      if (!step.ok()) return self->End(step.status());
      self->step_ = *std::move(step);
      // The client learns that the stream is open (and from which point
      // changes reach it) from the initial metadata, before any event.
      self->StartSendInitialMetadata();
      self->RunStep();
    });
    if (!queued) reactor->End(absl::ResourceExhaustedError("the service is busy; try again shortly"));
    return reactor;
  }

  void OnCancel() override {
    bool end = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled_ = true;
      // A waiting stream has no work in flight that would notice.
      end = waiting_;
      waiting_ = false;
    }
    if (end) End(absl::CancelledError("the client went away"));
  }

  void OnWriteDone(bool ok) override {
    const Event* next = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (ok) {
        ++written_;
        pending_.pop_front();
        if (!pending_.empty()) next = &pending_.front();
      }
    }
    if (!ok) return End(absl::CancelledError("the client went away"));
    if (next != nullptr) return this->StartWrite(next);
    PostStep();
  }

  void Wake() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!waiting_) return;
      waiting_ = false;
    }
    PostStep();
  }

  void OnDone() override {
    std::shared_ptr<FeedReactor> last;
    std::lock_guard<std::mutex> lock(mutex_);
    last = std::move(self_);
    // `last` may delete this after the lock is released: declared first.
  }

 private:
  FeedReactor(WorkerPool* workers, Doorbell* doorbell, OnEnd on_end)
      : workers_(workers), doorbell_(doorbell), on_end_(std::move(on_end)) {}

  std::shared_ptr<FeedReactor> Self() {
    std::lock_guard<std::mutex> lock(mutex_);
    return self_;
  }

  void PostStep() {
    std::shared_ptr<FeedReactor> self = Self();
    if (self == nullptr) return;
    PostWork(workers_, [self] { self->RunStep(); });
  }

  // On a worker.
  void RunStep() {
    uint64_t seen = doorbell_->rings();
    bool cancelled;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled = cancelled_;
    }
    if (cancelled) return End(absl::CancelledError("the client went away"));
    if (doorbell_->closed()) {
      return End(absl::UnavailableError("the server is shutting down; resume with the last cursor"));
    }
    absl::StatusOr<std::vector<Event>> events = step_();
    if (!events.ok()) return End(events.status());
    if (events->empty()) {
      std::shared_ptr<FeedReactor> self;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (cancelled_) {
          cancelled = true;
        } else {
          self = self_;
          waiting_ = doorbell_->Await(self, seen);
          if (waiting_) return;
        }
      }
      if (cancelled) return End(absl::CancelledError("the client went away"));
      return PostStep();  // it rang while this step read
    }
    const Event* first;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (Event& e : *events) pending_.push_back(std::move(e));
      first = &pending_.front();
    }
    this->StartWrite(first);
  }

  void End(const absl::Status& status) {
    int64_t written;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (ended_) return;
      ended_ = true;
      written = written_;
    }
    this->Finish(on_end_(status, written));
  }

  WorkerPool* const workers_;
  Doorbell* const doorbell_;
  const OnEnd on_end_;
  Step step_;  // set once, before the first step

  std::mutex mutex_;
  std::shared_ptr<FeedReactor> self_ ABSL_GUARDED_BY(mutex_);
  std::deque<Event> pending_ ABSL_GUARDED_BY(mutex_);
  bool cancelled_ ABSL_GUARDED_BY(mutex_) = false;
  bool waiting_ ABSL_GUARDED_BY(mutex_) = false;
  bool ended_ ABSL_GUARDED_BY(mutex_) = false;
  int64_t written_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_FEED_STREAM_H_
