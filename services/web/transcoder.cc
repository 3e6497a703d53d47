#include "services/web/transcoder.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "hartslag/cases/v1/figures.pb.h"
#include "hartslag/directory/v1/directory.pb.h"
#include "hartslag/intake/v1/figures.pb.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "nlohmann/json.hpp"
#include "services/common/log.h"
#include "services/common/status_details.h"

namespace hartslag::web {
namespace {

using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

// Messages from the generated code: every service proto is linked in.
std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  const Message* prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  return std::unique_ptr<Message>(prototype->New());
}

std::string ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  std::string json;
  // Cannot fail for a message of the generated pool.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// A refusal as JSON: the google.rpc.Status, and for the form that shows it
// the Dutch sentence per bad field ("fieldMessages": {"location.address.
// postcode": "Postcode moet eruitzien als 1234 AB."}), which a
// FieldViolation (English, for developers) does not carry.
std::string StatusJson(const google::rpc::Status& status) {
  nlohmann::json answer = nlohmann::json::parse(ToJson(status), nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return ToJson(status);
  for (const auto& detail : status.details()) {
    google::rpc::BadRequest bad;
    if (!detail.UnpackTo(&bad)) continue;
    for (const auto& violation : bad.field_violations()) {
      answer["fieldMessages"][violation.field()] = DutchMessage(
          absl::StatusCode::kInvalidArgument, absl::StrCat(violation.field(), ": ", violation.description()));
    }
  }
  return answer.dump();
}

grpc::ByteBuffer ToBuffer(const Message& message) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool FromBuffer(grpc::ByteBuffer& buffer, Message& message) {
  grpc::ProtoBufferReader reader(&buffer);
  return message.ParseFromZeroCopyStream(&reader);
}

// The request as its message, or INVALID_ARGUMENT naming what does not
// parse.
std::variant<std::unique_ptr<Message>, JsonAnswer> ParseRequest(const MethodDescriptor& method,
                                                                absl::string_view json) {
  std::unique_ptr<Message> request = NewMessage(method.input_type());
  if (json.empty()) json = "{}";
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), request.get(), options);
  if (!parsed.ok()) {
    return RefusalAnswer(grpc::StatusCode::INVALID_ARGUMENT, "body",
                         absl::StrCat("is not a ", method.input_type()->full_name(),
                                      " in proto3 JSON: ", std::string(parsed.message())),
                         "Het verzoek kon niet worden gelezen.");
  }
  return request;
}

// "/package.Service/Method", as gRPC names a call.
std::string RpcPath(const MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

void AddMetadata(grpc::ClientContext& call, const CallMetadata& metadata) {
  call.AddMetadata("authorization", absl::StrCat("Bearer ", metadata.access_token));
  if (!metadata.purpose.empty()) call.AddMetadata("x-hartslag-purpose", metadata.purpose);
  if (!metadata.browser.empty()) call.AddMetadata("x-hartslag-forwarded-for", metadata.browser);
  PassOn(metadata.trace, call);
}

}  // namespace

const char* const kWebMethods[] = {
    "hartslag.intake.v1.SignalService.SubmitSignal",
    "hartslag.intake.v1.SignalService.GetSignal",
    "hartslag.intake.v1.SignalService.ListSignals",
    "hartslag.intake.v1.SignalService.ListCategories",
    "hartslag.intake.v1.SignalService.ListAreas",
    "hartslag.intake.v1.SignalService.UploadAttachment",
    "hartslag.intake.v1.SignalService.ReadAttachment",
    "hartslag.cases.v1.TriageService.GetTriageQueue",
    "hartslag.cases.v1.TriageService.TriageSignal",
    "hartslag.cases.v1.CaseService.OpenCase",
    "hartslag.cases.v1.CaseService.GetCase",
    "hartslag.cases.v1.CaseService.ListNotes",
    "hartslag.cases.v1.CaseService.ListCases",
    "hartslag.cases.v1.CaseService.TransitionCase",
    "hartslag.cases.v1.CaseService.ReopenCase",
    "hartslag.cases.v1.CaseService.UpdateCase",
    "hartslag.cases.v1.CaseService.AddNote",
    "hartslag.cases.v1.CaseService.ListBreakGlassReviews",
    "hartslag.cases.v1.CaseService.CompleteBreakGlassReview",
    "hartslag.cases.v1.ActionService.CreateAction",
    "hartslag.cases.v1.ActionService.ListActions",
    "hartslag.cases.v1.ActionService.UpdateAction",
    "hartslag.cases.v1.ActionService.WatchActions",
    "hartslag.cases.v1.MeetingService.ScheduleMeetings",
    "hartslag.cases.v1.MeetingService.GetMeeting",
    "hartslag.cases.v1.MeetingService.ListMeetings",
    "hartslag.cases.v1.MeetingService.EditAgenda",
    "hartslag.cases.v1.MeetingService.DecideItem",
    "hartslag.cases.v1.MeetingService.ExportMeeting",
    "hartslag.cases.v1.MeetingService.CloseMeeting",
    "hartslag.cases.v1.MeetingService.CorrectMinutes",
    "hartslag.cases.v1.MeetingService.SetAttendance",
    "hartslag.cases.v1.MeetingService.ApproveMinutes",
    "hartslag.intake.v1.SignalFiguresService.GetSignalFigures",
    "hartslag.cases.v1.CaseFiguresService.GetCaseFigures",
    "hartslag.audit.v1.AuditService.GetTreeHead",
    "hartslag.audit.v1.AuditService.GetInclusionProof",
    "hartslag.audit.v1.AuditService.GetConsistencyProof",
    "hartslag.audit.v1.AuditService.QueryEvents",
    "hartslag.audit.v1.AuditService.GetAccessOverview",
    "hartslag.audit.v1.AuditService.AddRestriction",
    "hartslag.audit.v1.AuditService.LiftRestriction",
    "hartslag.audit.v1.AuditService.ListRestrictions",
    "hartslag.directory.v1.DirectoryService.CreateArea",
    "hartslag.directory.v1.DirectoryService.UpdateArea",
    "hartslag.directory.v1.DirectoryService.ListAreas",
    "hartslag.directory.v1.DirectoryService.CreateOrganisation",
    "hartslag.directory.v1.DirectoryService.UpdateOrganisation",
    "hartslag.directory.v1.DirectoryService.ListOrganisations",
    "hartslag.directory.v1.DirectoryService.CreateUser",
    "hartslag.directory.v1.DirectoryService.UpdateUser",
    "hartslag.directory.v1.DirectoryService.ListUsers",
    "hartslag.directory.v1.DirectoryService.CreateIntegratedClient",
    "hartslag.directory.v1.DirectoryService.UpdateIntegratedClient",
    "hartslag.directory.v1.DirectoryService.ListIntegratedClients",
    nullptr,
};

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return 200;
    case grpc::StatusCode::CANCELLED: return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE: return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return 504;
    case grpc::StatusCode::NOT_FOUND: return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED: return 409;
    case grpc::StatusCode::PERMISSION_DENIED: return 403;
    case grpc::StatusCode::UNAUTHENTICATED: return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return 429;
    case grpc::StatusCode::UNIMPLEMENTED: return 501;
    case grpc::StatusCode::UNAVAILABLE: return 503;
    default: return 500;
  }
}

JsonAnswer StatusAnswer(const grpc::Status& status) {
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    return {HttpStatusOf(status.error_code()), StatusJson(rich)};
  }
  // Not one of our services' refusals (every one carries details) but
  // gRPC's own: its text names internal addresses, so it is logged, not
  // shown.
  Log(LogLevel::kWarning, "call failed", {{"code", absl::StrCat(static_cast<int>(status.error_code()))},
                                          {"error", status.error_message()}});
  bool busy = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
              status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
              status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
  return RefusalAnswer(status.error_code(), "service", busy ? "not reachable now" : "failed",
                       busy ? "De dienst is even niet bereikbaar. Probeer het zo opnieuw."
                            : "Er ging iets mis. Probeer het opnieuw.");
}

JsonAnswer RefusalAnswer(grpc::StatusCode code, absl::string_view field, absl::string_view reason,
                         absl::string_view dutch) {
  google::rpc::Status rich;
  rich.set_code(code);
  rich.set_message(absl::StrCat(field, ": ", reason));
  if (code == grpc::StatusCode::INVALID_ARGUMENT) {
    google::rpc::BadRequest bad;
    auto* violation = bad.add_field_violations();
    violation->set_field(std::string(field));
    violation->set_description(std::string(reason));
    rich.add_details()->PackFrom(bad);
  }
  google::rpc::LocalizedMessage localized;
  localized.set_locale("nl-NL");
  localized.set_message(std::string(dutch));
  rich.add_details()->PackFrom(localized);
  return {HttpStatusOf(code), StatusJson(rich)};
}

Transcoder::Transcoder(std::map<std::string, std::shared_ptr<grpc::Channel>> channels)
    : channels_(std::move(channels)) {
  // Naming one message of each API file links its generated code, and so
  // puts its services into the generated pool.
  for (const auto* linked : {intake::v1::SubmitSignalRequest::descriptor(), cases::v1::Case::descriptor(),
                             audit::v1::AuditEvent::descriptor(), directory::v1::LoginRequest::descriptor(),
                             intake::v1::GetSignalFiguresRequest::descriptor(),
                             cases::v1::GetCaseFiguresRequest::descriptor()}) {
    (void)linked;
  }
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* const* name = kWebMethods; *name != nullptr; ++name) {
    const MethodDescriptor* method = pool->FindMethodByName(*name);
    if (method != nullptr && channels_.contains(method->service()->file()->package())) {
      allowed_.emplace(*name, method);
    }
  }
}

const MethodDescriptor* Transcoder::Find(absl::string_view service, absl::string_view method) const {
  auto it = allowed_.find(absl::StrCat(service, ".", method));
  return it == allowed_.end() ? nullptr : it->second;
}

std::shared_ptr<grpc::Channel> Transcoder::ChannelFor(const MethodDescriptor& method) const {
  return channels_.at(method.service()->file()->package());
}

JsonAnswer Transcoder::Unary(const MethodDescriptor& method, absl::string_view json, const CallMetadata& metadata,
                             absl::Duration timeout) const {
  auto parsed = ParseRequest(method, json);
  if (auto* refused = std::get_if<JsonAnswer>(&parsed)) return *refused;
  std::unique_ptr<Message> response = NewMessage(method.output_type());
  grpc::Status status = Call(method, *std::get<std::unique_ptr<Message>>(parsed), metadata, timeout, *response);
  if (!status.ok()) return StatusAnswer(status);
  return {200, ToJson(*response)};
}

grpc::Status Transcoder::Call(const MethodDescriptor& method, const Message& request, const CallMetadata& metadata,
                              absl::Duration timeout, Message& response) const {
  grpc::GenericStub stub(ChannelFor(method));
  grpc::ClientContext call;
  AddMetadata(call, metadata);
  call.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::ByteBuffer request_bytes = ToBuffer(request);
  grpc::ByteBuffer response_bytes;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&call, RpcPath(method), grpc::StubOptions(),
                 &request_bytes, &response_bytes, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return status;
  if (!FromBuffer(response_bytes, response)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "the service's answer did not parse");
  }
  return grpc::Status::OK;
}

namespace {

// What the server said as it began a stream: its x-hartslag-* initial
// metadata without the prefix ({"cursor": "..."} for WatchActions), so a
// page knows the stream runs and where it started.
std::string StartedJson(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  nlohmann::json started = nlohmann::json::object();
  for (const auto& [key, value] : metadata) {
    absl::string_view name(key.data(), key.size());
    if (absl::ConsumePrefix(&name, "x-hartslag-")) started[std::string(name)] = std::string(value.data(), value.size());
  }
  return started.dump();
}

// Reads a server stream through the callback API: one request written, then
// one read at a time, each handed to the thread that waits in Next before
// the next read starts (so a slow browser slows the stream, nothing piles
// up). A hold keeps the call open between reads until Finish.
class StreamReader final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  void Start(grpc::GenericStub& stub, grpc::ClientContext* call, const std::string& method,
             grpc::ByteBuffer request) {
    request_ = std::move(request);
    stub.PrepareBidiStreamingCall(call, method, grpc::StubOptions(), this);
    AddHold();
    StartWrite(&request_);
    StartWritesDone();
    StartRead(&incoming_);
    StartCall();
  }

  enum class Got {
    kStarted,  // the server began the stream: its initial metadata is there
    kMessage,  // `message` holds the next message
    kEnded,    // the stream ended
    kNothing,  // `wait` passed without any of the above
  };
  // What happened next, waiting at most `wait`.
  Got Next(absl::Duration wait, grpc::ByteBuffer& message) {
    std::unique_lock lock(mu_);
    ready_.wait_for(lock, absl::ToChronoMilliseconds(wait),
                    [&] { return (started_ && !started_told_) || has_message_ || ended_; });
    if (started_ && !started_told_) {
      started_told_ = true;
      return Got::kStarted;
    }
    if (!has_message_) return ended_ ? Got::kEnded : Got::kNothing;
    message = std::move(incoming_);
    has_message_ = false;
    lock.unlock();
    StartRead(&incoming_);
    return Got::kMessage;
  }

  // Ends the call (the caller cancels it first if it did not end) and
  // returns its status.
  grpc::Status Finish() {
    RemoveHold();
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return done_; });
    return status_;
  }

  void OnReadInitialMetadataDone(bool ok) override {
    std::lock_guard lock(mu_);
    started_ = ok;
    ready_.notify_all();
  }
  void OnReadDone(bool ok) override {
    std::lock_guard lock(mu_);
    if (ok) has_message_ = true;
    else ended_ = true;
    ready_.notify_all();
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mu_);
    status_ = status;
    done_ = true;
    ready_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  grpc::ByteBuffer request_, incoming_;
  bool started_ = false, started_told_ = false, has_message_ = false, ended_ = false, done_ = false;
  grpc::Status status_;
};

}  // namespace

JsonAnswer Transcoder::Stream(const MethodDescriptor& method, absl::string_view json, const CallMetadata& metadata,
                              const std::function<bool(const std::string&, const std::string&)>& on_event,
                              const std::function<bool()>& on_idle) const {
  auto parsed = ParseRequest(method, json);
  if (auto* refused = std::get_if<JsonAnswer>(&parsed)) return *refused;

  grpc::GenericStub stub(ChannelFor(method));
  grpc::ClientContext call;
  AddMetadata(call, metadata);
  StreamReader reader;
  reader.Start(stub, &call, RpcPath(method), ToBuffer(*std::get<std::unique_ptr<Message>>(parsed)));
  grpc::ByteBuffer buffer;
  for (bool more = true; more;) {
    switch (reader.Next(absl::Seconds(1), buffer)) {
      case StreamReader::Got::kNothing:
        more = on_idle();
        break;
      case StreamReader::Got::kStarted:
        more = on_event("ready", StartedJson(call.GetServerInitialMetadata()));
        break;
      case StreamReader::Got::kEnded:
        more = false;
        break;
      case StreamReader::Got::kMessage: {
        std::unique_ptr<Message> message = NewMessage(method.output_type());
        more = FromBuffer(buffer, *message) && on_event("", ToJson(*message));
        break;
      }
    }
  }
  call.TryCancel();
  grpc::Status status = reader.Finish();
  if (status.ok() || status.error_code() == grpc::StatusCode::CANCELLED) return {200, "{}"};
  return StatusAnswer(status);
}

}  // namespace hartslag::web
