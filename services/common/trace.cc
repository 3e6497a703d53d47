#include "services/common/trace.h"

#include "re2/re2.h"
#include "services/common/crypto.h"

namespace hartslag {

std::string ValidTraceparent(absl::string_view value) {
  static const re2::RE2 kTraceparent("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  std::string trace_id, parent_id;
  re2::StringPiece text(value.data(), value.size());
  if (!re2::RE2::FullMatch(text, kTraceparent, &trace_id, &parent_id)) return "";
  if (trace_id == std::string(32, '0') || parent_id == std::string(16, '0')) return "";
  return std::string(value);
}

Trace TraceFrom(absl::string_view request_id, absl::string_view traceparent) {
  static const re2::RE2 kSafe("[A-Za-z0-9._-]{1,64}");
  Trace trace;
  trace.traceparent = ValidTraceparent(traceparent);
  if (re2::RE2::FullMatch(re2::StringPiece(request_id.data(), request_id.size()), kSafe)) {
    trace.request_id = std::string(request_id);
  } else if (!trace.traceparent.empty()) {
    trace.request_id = trace.traceparent.substr(3, 32);  // the trace id
  } else {
    trace.request_id = HexEncode(RandomBytes(8));
  }
  return trace;
}

void PassOn(const Trace& trace, grpc::ClientContext& call) {
  call.AddMetadata("x-request-id", trace.request_id);
  if (!trace.traceparent.empty()) call.AddMetadata("traceparent", trace.traceparent);
}

}  // namespace hartslag
