// Calls as the services expect them: the caller's bearer token, a request id
// (x-request-id, which the services log and audit as the trace id), the
// purpose of reading personal data (x-hartslag-purpose) and a deadline on
// every call; retries with backoff for the calls the caller marks as safe to
// repeat.
//
//   CallOptions options;
//   options.purpose = "ACTION_EXECUTION";
//   Session session(tokens, options);
//   auto actions = cases::v1::ActionService::NewStub(channel);
//   cases::v1::ListActionsResponse page;
//   RETURN_IF_ERROR(session.Call(Retry::kIdempotent, [&](grpc::ClientContext& call) {
//     return actions->ListActions(&call, request, &page);
//   }));
//
// Retry::kIdempotent is for reads and for creates that carry a request_id
// (the service answers a repeat with what the first call made); such a call is
// repeated on UNAVAILABLE and DEADLINE_EXCEEDED, with exponential backoff and
// jitter, up to RetryPolicy::max_attempts, each retry waiting (within its
// deadline) for the channel to reconnect. Any call refused with
// UNAUTHENTICATED is made once more with a freshly fetched token: the
// service did no work for it. A Session is immutable and thread-safe.
#ifndef HARTSLAG_CLIENTS_CPP_SESSION_H_
#define HARTSLAG_CLIENTS_CPP_SESSION_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/cpp/backoff.h"
#include "clients/cpp/token_source.h"

namespace hartslag::client {

struct RetryPolicy {
  // Attempts in all, the first included.
  int max_attempts = 4;
  BackoffPolicy backoff;
};

struct CallOptions {
  // Why personal data is read (TRIAGE, ACTION_EXECUTION, ...); recorded in
  // the audit log. Empty: none sent.
  std::string purpose;
  // The deadline of each attempt.
  absl::Duration timeout = absl::Seconds(10);
  RetryPolicy retry;
};

enum class Retry { kNever, kIdempotent };

class Session {
 public:
  // `tokens` may be null for the calls that need no token (Login).
  Session(TokenSourcePtr tokens, CallOptions options) : tokens_(std::move(tokens)), options_(std::move(options)) {}

  // A context for one call: token, a new request id, purpose and deadline.
  // Fails only when the token source cannot give a token.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewCall() const;

  // Makes `rpc` with a context of its own per attempt (all attempts share one
  // request id), retrying as the file comment says; the last answer's status.
  absl::Status Call(Retry retry, const std::function<grpc::Status(grpc::ClientContext&)>& rpc) const;

  const TokenSourcePtr& tokens() const { return tokens_; }
  const CallOptions& options() const { return options_; }

 private:
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewCall(const std::string& request_id,
                                                               std::string* token) const;

  TokenSourcePtr tokens_;
  CallOptions options_;
};

}  // namespace hartslag::client

#endif  // HARTSLAG_CLIENTS_CPP_SESSION_H_
