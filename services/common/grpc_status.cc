#include "services/common/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace hartslag {

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  if (code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        absl::StrCat("internal error (request id ", request_id, ")"));
  }
  return grpc::Status(code, std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace hartslag
