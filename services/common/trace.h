// One request's trace across services: its request id (x-request-id, which
// every service logs and records in the audit log as the trace id) and the
// caller's W3C trace context (traceparent), when it sent one. A service
// that calls another for a request passes both on, so that the logs and
// audit records of every service it reached carry the same id.
#ifndef HARTSLAG_SERVICES_COMMON_TRACE_H_
#define HARTSLAG_SERVICES_COMMON_TRACE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/string_view.h"
#include "services/common/request_context.h"

namespace hartslag {

struct Trace {
  std::string request_id;
  std::string traceparent;  // "" when the caller sent none (or a malformed one)
};

// The trace a caller sent: `request_id` if it is safe to log (letters,
// digits, ".", "_", "-"; at most 64), else the trace id of a valid
// `traceparent`, else a new random id.
Trace TraceFrom(absl::string_view request_id, absl::string_view traceparent);
// `value` when it is a W3C traceparent of version 00 with a trace id and
// parent id that are not all zero; "" otherwise.
std::string ValidTraceparent(absl::string_view value);
// The trace of the request `caller` made, to pass on.
inline Trace TraceOf(const RequestContext& caller) { return Trace{caller.request_id, caller.traceparent}; }
// Adds the trace to a call made for the request.
void PassOn(const Trace& trace, grpc::ClientContext& call);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_TRACE_H_
