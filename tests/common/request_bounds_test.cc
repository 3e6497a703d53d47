#include "services/common/request_bounds.h"

#include <gtest/gtest.h>

#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "hartslag/cases/v1/figures.grpc.pb.h"
#include "hartslag/directory/v1/directory.grpc.pb.h"
#include "hartslag/intake/v1/figures.grpc.pb.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "hartslag/operations/v1/operations.grpc.pb.h"

namespace hartslag {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

intake::v1::SubmitSignalRequest SmallSignal() {
  intake::v1::SubmitSignalRequest request;
  request.set_area_id("vrieheide");
  request.set_description("Matrassen naast de container");
  request.mutable_location()->mutable_address()->set_street("Vrieheidelaan");
  request.add_persons()->set_name("Jan Jansen");
  return request;
}

// The API's promise: no field of any request of any service is unbounded.
TEST(RequestBoundsTest, EveryRequestFieldOfEveryServiceDeclaresItsMaximum) {
  // Linking the generated code registers the files in the generated pool.
  const FileDescriptor* files[] = {
      intake::v1::SubmitSignalRequest::descriptor()->file(), cases::v1::OpenCaseRequest::descriptor()->file(),
      directory::v1::LoginRequest::descriptor()->file(), audit::v1::AppendRequest::descriptor()->file(),
      operations::v1::ListDeadLettersRequest::descriptor()->file(),
      intake::v1::GetSignalFiguresRequest::descriptor()->file(), cases::v1::GetCaseFiguresRequest::descriptor()->file()};
  int methods = 0;
  for (const FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        ++methods;
        const auto* input = file->service(s)->method(m)->input_type();
        std::vector<std::string> unbounded = UnboundedFields(input);
        EXPECT_TRUE(unbounded.empty()) << file->service(s)->method(m)->full_name() << " takes unbounded "
                                       << testing::PrintToString(unbounded);
      }
    }
  }
  EXPECT_GT(methods, 40);
}

TEST(RequestBoundsTest, AcceptsARequestWithinItsBounds) {
  EXPECT_TRUE(CheckRequestBounds(SmallSignal()).ok());
}

TEST(RequestBoundsTest, AStringAtItsMaximumPassesOneByteMoreIsNamed) {
  intake::v1::SubmitSignalRequest request = SmallSignal();
  request.set_description(std::string(16000, 'a'));
  EXPECT_TRUE(CheckRequestBounds(request).ok());
  request.set_description(std::string(16001, 'a'));
  absl::Status status = CheckRequestBounds(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "description: must be at most 16000 bytes");
}

TEST(RequestBoundsTest, NamesTheFieldInsideNestedAndRepeatedMessages) {
  intake::v1::SubmitSignalRequest request = SmallSignal();
  request.mutable_location()->mutable_address()->set_street(std::string(1 << 20, 'x'));
  EXPECT_EQ(CheckRequestBounds(request).message(), "location.address.street: must be at most 320 bytes");

  request = SmallSignal();
  request.add_persons()->set_role(std::string(401, 'r'));
  EXPECT_EQ(CheckRequestBounds(request).message(), "persons[1].role: must be at most 400 bytes");
}

TEST(RequestBoundsTest, RefusesTooManyItemsBeforeLookingAtThem) {
  intake::v1::SubmitSignalRequest request = SmallSignal();
  for (int i = 0; i < 10000; ++i) request.add_persons()->set_name("x");
  EXPECT_EQ(CheckRequestBounds(request).message(), "persons: must be at most 20 items");
}

TEST(RequestBoundsTest, HoldsAMapsValuesToTheBoundOfTheMapField) {
  cases::v1::UpdateActionRequest request;
  request.set_action_id("a");
  (*request.mutable_findings())[3] = std::string(8000, 'f');
  EXPECT_TRUE(CheckRequestBounds(request).ok());
  (*request.mutable_findings())[3] = std::string(8001, 'f');
  EXPECT_EQ(CheckRequestBounds(request).message(), "findings[0]: must be at most 8000 bytes");
}

TEST(RequestBoundsTest, RefusesAnEnumValueItsEnumDoesNotName) {
  intake::v1::SubmitSignalRequest request = SmallSignal();
  request.set_source(static_cast<intake::v1::Source>(12345));
  absl::Status status = CheckRequestBounds(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "source: 12345 is not a value of Source");
}

}  // namespace
}  // namespace hartslag
