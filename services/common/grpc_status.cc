#include "services/common/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/status_details.h"

namespace hartslag {

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id) {
  if (status.ok()) return grpc::Status::OK;
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    // What went wrong stays in the log, under the request id.
    return WithDetails(absl::InternalError(absl::StrCat("internal error (request id ", request_id, ")")));
  }
  return WithDetails(status);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  absl::Status converted(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (std::optional<std::string> dutch = LocalizedMessageOf(status); dutch && !converted.ok()) {
    converted.SetPayload(kLocalizedMessagePayload, absl::Cord(*dutch));
  }
  return converted;
}

}  // namespace hartslag
