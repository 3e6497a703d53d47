#include "services/common/process.h"

#include "absl/synchronization/mutex.h"

namespace hartslag {

void UseMutexesWithoutDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace hartslag
