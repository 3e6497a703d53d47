// Waiting between attempts: exponential backoff with jitter, so that clients
// that lost the same service do not all come back in the same instant.
//
//   Backoff backoff;             // 200 ms, doubling to at most 10 s
//   while (!TryConnect()) absl::SleepFor(backoff.Next());
//   backoff.Reset();             // after a success
//
// Not thread-safe: one per retry loop.
#ifndef HARTSLAG_CLIENTS_CPP_BACKOFF_H_
#define HARTSLAG_CLIENTS_CPP_BACKOFF_H_

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace hartslag::client {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(200);
  absl::Duration max = absl::Seconds(10);
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}) : policy_(policy), ceiling_(policy.initial) {}

  // The next wait: a random time between half the current ceiling and the
  // ceiling, which then doubles up to the policy's max.
  absl::Duration Next();
  void Reset() { ceiling_ = policy_.initial; }

 private:
  BackoffPolicy policy_;
  absl::Duration ceiling_;
  absl::BitGen random_;
};

}  // namespace hartslag::client

#endif  // HARTSLAG_CLIENTS_CPP_BACKOFF_H_
