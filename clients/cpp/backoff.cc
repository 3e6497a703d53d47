#include "clients/cpp/backoff.h"

#include <algorithm>

#include "absl/random/distributions.h"

namespace hartslag::client {

absl::Duration Backoff::Next() {
  absl::Duration wait = ceiling_ * absl::Uniform(random_, 0.5, 1.0);
  ceiling_ = std::min(ceiling_ * 2, policy_.max);
  return wait;
}

}  // namespace hartslag::client
