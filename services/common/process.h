// What every Hartslag program (services, hartslag-web, the load generator)
// sets up for the process before its threads start.
#ifndef HARTSLAG_SERVICES_COMMON_PROCESS_H_
#define HARTSLAG_SERVICES_COMMON_PROCESS_H_

namespace hartslag {

// Turns off absl::Mutex's deadlock detection for the process. Debian's
// Abseil is built without NDEBUG, so it is on there: every lock gRPC takes
// (its mutexes are Abseil's) and every mutex destroyed passed through one
// global graph of lock order (GraphCycles in a profile of SubmitSignal).
// The sanitizer builds keep their own checks of locking (ThreadSanitizer).
void UseMutexesWithoutDeadlockDetection();

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PROCESS_H_
