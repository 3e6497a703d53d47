// absl::Status and grpc::Status, converted at the edge of a call (the codes
// are numerically the same). Servers convert their answers, clients the
// answers they get; neither needs more of the other's side to do it.
#ifndef HARTSLAG_SERVICES_COMMON_GRPC_STATUS_H_
#define HARTSLAG_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace hartslag {

// For a server's answer. INTERNAL and UNKNOWN lose their message (it may hold
// details for the log, not the client); the client sees the request id.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id);
// For the client side of a call: the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_GRPC_STATUS_H_
