// The one place that bounds every request before any work is done on it.
//
// Every string, bytes, repeated and map field of a request message declares
// its maximum in the proto (hartslag/common/v1/bounds.proto); RpcRunner calls
// CheckRequestBounds on each request before the handler runs, so no handler,
// regular expression or query ever sees more than the API admits.
//
//   RETURN_IF_ERROR(CheckRequestBounds(*request));
//   // -> "persons[2].name: must be at most 800 bytes"
#ifndef HARTSLAG_SERVICES_COMMON_REQUEST_BOUNDS_H_
#define HARTSLAG_SERVICES_COMMON_REQUEST_BOUNDS_H_

#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace hartslag {

// OK when every field of `request`, nested messages included, is within its
// declared bounds and every enum field holds a value its enum names;
// otherwise INVALID_ARGUMENT naming the first field that is not, with the
// reason. A field without a declared bound is held to a small default (see
// the .cc), and `UnboundedFields` lists it so that a test can report it.
absl::Status CheckRequestBounds(const google::protobuf::Message& request);

// The bounds CheckRequestBounds holds `field` to: its declared max_bytes
// (per item) and max_items, or the small defaults for a field that
// declares none.
int MaxBytes(const google::protobuf::FieldDescriptor* field);
int MaxItems(const google::protobuf::FieldDescriptor* field);

// The string, bytes, repeated and map fields reachable from `type` that
// declare no bound, as "<message>.<field>" names.
std::vector<std::string> UnboundedFields(const google::protobuf::Descriptor* type);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_REQUEST_BOUNDS_H_
