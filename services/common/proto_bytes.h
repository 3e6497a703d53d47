// Stable bytes of protobuf messages: the same content always gives the same
// bytes, so they can be hashed into the audit log, compared to tell a retry
// from a reuse of a request id, or bind a page token to its filter.
#ifndef HARTSLAG_SERVICES_COMMON_PROTO_BYTES_H_
#define HARTSLAG_SERVICES_COMMON_PROTO_BYTES_H_

#include <string>

#include "google/protobuf/message.h"

namespace hartslag {

// The deterministic protobuf encoding of `message`.
std::string DeterministicBytes(const google::protobuf::Message& message);
// Lowercase hex SHA-256 of DeterministicBytes(message).
std::string Fingerprint(const google::protobuf::Message& message);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_PROTO_BYTES_H_
