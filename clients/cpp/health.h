// Asks a Hartslag server's gRPC health check (grpc.health.v1.Health/Check,
// for the whole server). A service answers NOT_SERVING while its database is
// out of reach, so a load balancer, a readiness probe or an operator can
// tell "up" from "up and able to work".
//
//   ASSIGN_OR_RETURN(bool serving, client::IsServing(channel, absl::Seconds(2)));
#ifndef HARTSLAG_CLIENTS_CPP_HEALTH_H_
#define HARTSLAG_CLIENTS_CPP_HEALTH_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hartslag::client {

// True for SERVING, false for NOT_SERVING; the call's error when the server
// cannot be asked within `timeout`, UNKNOWN for an answer that is neither.
absl::StatusOr<bool> IsServing(const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout);

}  // namespace hartslag::client

#endif  // HARTSLAG_CLIENTS_CPP_HEALTH_H_
