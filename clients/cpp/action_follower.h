// Follows the caller's organisation's actions (cases.v1 WatchActions) as an
// integrated partner system does: from a durable cursor, resuming after the
// connection drops (UNAVAILABLE: reconnect with backoff) or the token expires
// (UNAUTHENTICATED: renew the token and reconnect), so that every action
// change reaches the handler in order, once.
//
//   ActionFollowerOptions options;
//   options.cursor_file = "/var/lib/politie-bvh/actions.cursor";
//   ActionFollower follower(cases_channel, tokens, options);
//   absl::Status ended = follower.Run([&](const cases::v1::ActionEvent& event) {
//     return HandOver(event);   // an error stops Run; the event comes again next time
//   });
//   // from another thread (a signal handler's thread, a timer): follower.Stop();
//
// The cursor file is replaced atomically after each event the handler
// accepted, so a restart resumes after the last handled event: nothing lost,
// nothing repeated. A crash between the handler's work and the cursor's
// write delivers that one event again: make the handler's effect idempotent
// (the services refuse a second identical state change) or record it with
// the cursor. Run is called by one thread at a time; Stop from any thread.
#ifndef HARTSLAG_CLIENTS_CPP_ACTION_FOLLOWER_H_
#define HARTSLAG_CLIENTS_CPP_ACTION_FOLLOWER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "clients/cpp/backoff.h"
#include "clients/cpp/token_source.h"
#include "hartslag/cases/v1/cases.pb.h"

namespace hartslag::client {

struct ActionFollowerOptions {
  // Where the cursor of the last handled event is kept; empty: in memory only.
  std::string cursor_file;
  // Where to start when the cursor file does not exist (or is not used):
  // after this cursor; without one, at the present, or with from_beginning
  // at the organisation's first action.
  std::string cursor;
  bool from_beginning = false;
  // Reading actions needs a purpose; it is recorded in the audit log.
  std::string purpose = "ACTION_EXECUTION";
  BackoffPolicy backoff;
};

class ActionFollower {
 public:
  using Handler = std::function<absl::Status(const cases::v1::ActionEvent&)>;

  ActionFollower(std::shared_ptr<grpc::Channel> cases, TokenSourcePtr tokens, ActionFollowerOptions options);

  // Follows the stream, calling `handle` for each event, until Stop() (OK),
  // the handler fails (its error), the cursor cannot be saved, or the
  // service refuses for another reason than a dropped connection or an
  // expired token (that refusal, e.g. PERMISSION_DENIED without the role).
  absl::Status Run(const Handler& handle);
  // Ends Run: the event being handled is finished and its cursor saved.
  void Stop();

  // The cursor of the last event handled (or where the stream started).
  std::string cursor() const;

 private:
  absl::Status SaveCursor(const std::string& cursor);
  bool stopped() const;
  // Waits `wait` or until Stop(); false if stopped.
  bool Pause(absl::Duration wait);

  const std::shared_ptr<grpc::Channel> channel_;
  const TokenSourcePtr tokens_;
  const ActionFollowerOptions options_;
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // The open stream's call, to cancel it on Stop().
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string cursor_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hartslag::client

#endif  // HARTSLAG_CLIENTS_CPP_ACTION_FOLLOWER_H_
