#include "clients/cpp/health.h"

#include <grpcpp/generic/generic_stub.h>

#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "services/common/grpc_status.h"

namespace hartslag::client {

// The two messages are tiny and fixed, so they are written and read as bytes
// rather than compiled from grpc's health.proto, which Debian does not ship
// with generated C++ for clients.
absl::StatusOr<bool> IsServing(const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout) {
  grpc::GenericStub generic(channel);
  grpc::Slice empty("");  // HealthCheckRequest{service: ""} encodes as no bytes
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext call;
  call.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  absl::Notification finished;
  grpc::Status status;
  generic.UnaryCall(&call, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      status = std::move(s);
                      finished.Notify();
                    });
  finished.WaitForNotification();
  if (!status.ok()) return FromGrpcStatus(status);
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  // HealthCheckResponse.status is field 1: SERVING = 1, NOT_SERVING = 2.
  if (bytes == std::string("\x08\x01", 2)) return true;
  if (bytes == std::string("\x08\x02", 2)) return false;
  return absl::UnknownError("the health check gave an answer that is neither SERVING nor NOT_SERVING");
}

}  // namespace hartslag::client
