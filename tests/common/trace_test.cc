// Which request id and trace context a service takes from its caller.
#include "services/common/trace.h"

#include <gtest/gtest.h>

namespace hartslag {
namespace {

constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceTest, ASafeRequestIdIsKeptAndATraceparentGoesAlong) {
  Trace trace = TraceFrom("web-1234_a.b", kTraceparent);
  EXPECT_EQ(trace.request_id, "web-1234_a.b");
  EXPECT_EQ(trace.traceparent, kTraceparent);
}

TEST(TraceTest, WithoutARequestIdTheTraceparentsTraceIdIsTheRequestId) {
  EXPECT_EQ(TraceFrom("", kTraceparent).request_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(TraceFrom("has space", kTraceparent).request_id, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(TraceTest, AMalformedTraceparentIsDroppedAndANewIdMade) {
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
    Trace trace = TraceFrom("", bad);
    EXPECT_EQ(trace.traceparent, "") << bad;
    EXPECT_EQ(trace.request_id.size(), 16u) << bad;
  }
  EXPECT_NE(TraceFrom("", "").request_id, TraceFrom("", "").request_id);
  EXPECT_EQ(TraceFrom(std::string(65, 'a'), "").request_id.size(), 16u) << "too long to log";
}

}  // namespace
}  // namespace hartslag
