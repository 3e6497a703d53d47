// What a refused call tells its caller beyond the status code and its
// English text: google.rpc error details, sent as gRPC's
// grpc-status-details-bin trailer (a serialized google.rpc.Status), so that
// a form can put each message beside its field and show the user a Dutch
// sentence as it is.
//
//   - INVALID_ARGUMENT carries a google.rpc.BadRequest with one
//     FieldViolation per bad field. The services' messages name the field
//     first ("address.postcode: must look like 1234 AB"; several joined by
//     "; ", see FieldErrors in validation.h), which is where the field path
//     and the reason come from.
//   - Every refusal carries a google.rpc.LocalizedMessage in nl-NL.
//
//   return WithDetails(absl::InvalidArgumentError("text: is required"));
#ifndef HARTSLAG_SERVICES_COMMON_STATUS_DETAILS_H_
#define HARTSLAG_SERVICES_COMMON_STATUS_DETAILS_H_

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace hartslag {

inline constexpr char kUserLocale[] = "nl-NL";

// `status` as a grpc::Status with the same code and message and the details
// above. OK stays OK.
grpc::Status WithDetails(const absl::Status& status);

// The (field path, reason) pairs a message names, in order; empty if it
// names none.
std::vector<std::pair<std::string, std::string>> FieldViolationsOf(absl::string_view message);

// The Dutch sentence for a user: the field by its Dutch label and the reason
// in Dutch where they are known, else a sentence that fits the code.
std::string DutchMessage(absl::StatusCode code, absl::string_view message);

// Client side: the nl-NL LocalizedMessage a refusal carries, if any; on an
// absl::Status made by FromGrpcStatus (server.h) it travels as a payload.
std::optional<std::string> LocalizedMessageOf(const grpc::Status& status);
std::optional<std::string> LocalizedMessageOf(const absl::Status& status);
inline constexpr char kLocalizedMessagePayload[] = "type.googleapis.com/google.rpc.LocalizedMessage";

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_STATUS_DETAILS_H_
