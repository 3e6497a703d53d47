// Fuzzes CheckRequestBounds (services/common/request_bounds.h), which every
// RPC runs on its request before anything else, on requests parsed from
// wire bytes as gRPC parses them.
//
// The first byte chooses the message, the rest is its wire form:
//   '0' (even)  hartslag.intake.v1.SubmitSignalRequest;
//   '1' (odd)   hartslag.cases.v1.CreateActionRequest.
// Checked: the verdict on a request is the same after it is serialised and
// parsed again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "hartslag/cases/v1/cases.pb.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/request_bounds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::unique_ptr<google::protobuf::Message> request;
  if (data[0] % 2 == 0) {
    request = std::make_unique<hartslag::intake::v1::SubmitSignalRequest>();
  } else {
    request = std::make_unique<hartslag::cases::v1::CreateActionRequest>();
  }
  if (!request->ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  absl::Status status = hartslag::CheckRequestBounds(*request);

  std::unique_ptr<google::protobuf::Message> again(request->New());
  if (!again->ParseFromString(request->SerializeAsString())) std::abort();
  if (hartslag::CheckRequestBounds(*again).ok() != status.ok()) std::abort();
  return 0;
}
