// The browser's JSON API onto the services' gRPC, generic: a request in
// proto3 JSON for an allowed method is parsed with that method's generated
// descriptor, sent as that gRPC call to the service that owns it, and the
// answer (or the google.rpc.Status with its details) comes back as JSON with
// a fitting HTTP status. No mapping is written by hand, so a new field or
// RPC reaches the browser by the proto alone; a new RPC only once it is on
// the allow-list (kWebMethods).
//
//   Transcoder transcoder({{"hartslag.cases.v1", cases_channel}, ...});
//   const auto* method = transcoder.Find("hartslag.cases.v1.CaseService", "GetCase");
//   if (method == nullptr) ... 404: not reachable from the browser
//   JsonAnswer answer = transcoder.Unary(*method, body, call_metadata, deadline);
//
// Thread-safe: immutable after construction; calls share the channels.
#ifndef HARTSLAG_SERVICES_WEB_TRANSCODER_H_
#define HARTSLAG_SERVICES_WEB_TRANSCODER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/common/trace.h"

namespace hartslag::web {

// The RPCs a browser may call, by full method name. Nothing for services
// only (Append, the triage feed, the tenant lookups), nothing that hands out
// tokens (the session endpoints do that), no operations.
extern const char* const kWebMethods[];

// What goes back to the browser: an HTTP status and a JSON body.
struct JsonAnswer {
  int http_status = 200;
  std::string json;
};

// The HTTP status for a gRPC code, as Google's HTTP mapping gives it.
int HttpStatusOf(grpc::StatusCode code);

// A refusal as the JSON of its google.rpc.Status (code, message, details
// with their @type) plus "fieldMessages", the Dutch sentence per bad field,
// with the HTTP status of its code.
JsonAnswer StatusAnswer(const grpc::Status& status);
// A refusal made here, before any service was asked.
JsonAnswer RefusalAnswer(grpc::StatusCode code, absl::string_view field, absl::string_view reason,
                         absl::string_view dutch);

// What every call carries to the service on behalf of the browser's user.
struct CallMetadata {
  std::string access_token;
  std::string purpose;      // x-hartslag-purpose, as the screen declares it
  std::string browser;      // the browser's address, for the audit origin
  Trace trace;              // the request id and traceparent passed on
};

class Transcoder {
 public:
  // `channels` by proto package ("hartslag.cases.v1"): every allowed method
  // of that package goes to that channel.
  explicit Transcoder(std::map<std::string, std::shared_ptr<grpc::Channel>> channels);

  // The allowed method `service`/`method` (full service name), or nullptr.
  const google::protobuf::MethodDescriptor* Find(absl::string_view service, absl::string_view method) const;

  // One unary call: `json` is the request in proto3 JSON (unknown fields are
  // refused, naming them).
  JsonAnswer Unary(const google::protobuf::MethodDescriptor& method, absl::string_view json,
                   const CallMetadata& metadata, absl::Duration timeout) const;

  // The same call with the method's own messages (`request` of its input
  // type, `response` of its output type), for the gateway's own routes that
  // need the answer itself rather than its JSON (an attachment's bytes).
  grpc::Status Call(const google::protobuf::MethodDescriptor& method, const google::protobuf::Message& request,
                    const CallMetadata& metadata, absl::Duration timeout,
                    google::protobuf::Message& response) const;

  // One server-streaming call, as events for `on_event(name, json)`: first
  // "ready" once the server began the stream (its x-hartslag-* initial
  // metadata, e.g. {"cursor": "17"}), then "" with each message as JSON;
  // `on_idle` is called after each second without either. The call ends
  // when a callback returns false or the stream ends. Returns the final
  // status as an answer (200 with "{}" when it ended well).
  JsonAnswer Stream(const google::protobuf::MethodDescriptor& method, absl::string_view json,
                    const CallMetadata& metadata,
                    const std::function<bool(const std::string& event, const std::string& json)>& on_event,
                    const std::function<bool()>& on_idle) const;

 private:
  std::shared_ptr<grpc::Channel> ChannelFor(const google::protobuf::MethodDescriptor& method) const;

  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::map<std::string, const google::protobuf::MethodDescriptor*, std::less<>> allowed_;
};

}  // namespace hartslag::web

#endif  // HARTSLAG_SERVICES_WEB_TRANSCODER_H_
