// Conversions between google.protobuf.Timestamp and absl::Time at the API edge.
#ifndef HARTSLAG_SERVICES_COMMON_PROTO_TIME_H_
#define HARTSLAG_SERVICES_COMMON_PROTO_TIME_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace hartslag {

// INVALID_ARGUMENT naming `field` when the timestamp is outside
// 0001-01-01..9999-12-31 or its nanos are out of range.
absl::StatusOr<absl::Time> TimeFromProto(const google::protobuf::Timestamp& timestamp,
                                         absl::string_view field);

// Microsecond precision, as PostgreSQL stores it.
google::protobuf::Timestamp TimeToProto(absl::Time time);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PROTO_TIME_H_
