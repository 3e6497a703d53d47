#include "clients/cpp/action_follower.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "hartslag/cases/v1/cases.grpc.pb.h"
#include "services/common/crypto.h"
#include "services/common/files.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::client {
namespace {

namespace v1 = cases::v1;

// The one place that names the service serving WatchActions.
using ActionStreamService = v1::ActionService;

std::unique_ptr<grpc::ClientReader<v1::ActionEvent>> OpenActionStream(const std::shared_ptr<grpc::Channel>& channel,
                                                                      grpc::ClientContext* call,
                                                                      const v1::WatchActionsRequest& request) {
  return ActionStreamService::NewStub(channel)->WatchActions(call, request);
}

// A token refused again this soon after it was renewed is not an expired
// one: the caller may not watch (a deactivated user, a revoked client).
constexpr absl::Duration kRefusedAgainWithin = absl::Seconds(10);

}  // namespace

ActionFollower::ActionFollower(std::shared_ptr<grpc::Channel> cases, TokenSourcePtr tokens,
                               ActionFollowerOptions options)
    : channel_(std::move(cases)), tokens_(std::move(tokens)), options_(std::move(options)) {}

std::string ActionFollower::cursor() const {
  absl::MutexLock lock(&mu_);
  return cursor_;
}

bool ActionFollower::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

void ActionFollower::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  if (current_ != nullptr) current_->TryCancel();
}

bool ActionFollower::Pause(absl::Duration wait) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopped_), wait);
  return !stopped_;
}

absl::Status ActionFollower::SaveCursor(const std::string& cursor) {
  {
    absl::MutexLock lock(&mu_);
    cursor_ = cursor;
  }
  if (options_.cursor_file.empty()) return absl::OkStatus();
  return WriteFileAtomically(options_.cursor_file, cursor + "\n", "cursor file");
}

absl::Status ActionFollower::Run(const Handler& handle) {
  std::string cursor = options_.cursor;
  if (!options_.cursor_file.empty() && std::filesystem::exists(options_.cursor_file)) {
    ASSIGN_OR_RETURN(std::string saved, ReadFile(options_.cursor_file, "cursor file"));
    cursor = std::string(absl::StripAsciiWhitespace(saved));
  }
  {
    absl::MutexLock lock(&mu_);
    cursor_ = cursor;
  }
  Backoff backoff(options_.backoff);
  absl::Time token_renewed_at = absl::InfinitePast();
  while (!stopped()) {
    absl::StatusOr<std::string> token = tokens_->Token();
    if (!token.ok()) {
      // The directory may be restarting; anything else is for the caller.
      if (token.status().code() != absl::StatusCode::kUnavailable) return token.status();
      if (!Pause(backoff.Next())) break;
      continue;
    }
    grpc::ClientContext call;
    call.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
    call.AddMetadata("x-request-id", HexEncode(RandomBytes(8)));
    call.AddMetadata("x-hartslag-purpose", options_.purpose);
    // Wait for the service to be back rather than fail at once while it is
    // away: the channel's own reconnect backoff (channel.h) is the pace.
    call.set_wait_for_ready(true);
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) break;
      current_ = &call;
    }
    v1::WatchActionsRequest request;
    request.set_cursor(cursor);
    request.set_from_beginning(cursor.empty() && options_.from_beginning);
    auto stream = OpenActionStream(channel_, &call, request);
    // A stream from the present says where it starts: keep that, so that a
    // connection lost before the first event misses nothing.
    stream->WaitForInitialMetadata();
    absl::Status failed;
    if (cursor.empty()) {
      auto start = call.GetServerInitialMetadata().find("x-hartslag-cursor");
      if (start != call.GetServerInitialMetadata().end()) {
        cursor = std::string(start->second.data(), start->second.size());
        failed = SaveCursor(cursor);
      }
    }
    v1::ActionEvent event;
    while (failed.ok() && !stopped() && stream->Read(&event)) {
      backoff.Reset();
      failed = handle(event);
      if (failed.ok()) {
        cursor = event.cursor();
        failed = SaveCursor(cursor);
      }
    }
    if (!failed.ok() || stopped()) call.TryCancel();
    grpc::Status status = stream->Finish();
    {
      absl::MutexLock lock(&mu_);
      current_ = nullptr;
    }
    if (!failed.ok()) return failed;
    if (stopped()) break;
    switch (status.error_code()) {
      case grpc::StatusCode::UNAUTHENTICATED:
        if (absl::Now() - token_renewed_at < kRefusedAgainWithin) return FromGrpcStatus(status);
        tokens_->Refused(*token);
        token_renewed_at = absl::Now();
        break;
      case grpc::StatusCode::OK:           // the server ended the stream (shutting down)
      case grpc::StatusCode::UNAVAILABLE:  // the connection dropped or the service is down
        if (!Pause(backoff.Next())) return absl::OkStatus();
        break;
      default:
        return FromGrpcStatus(status);
    }
  }
  return absl::OkStatus();
}

}  // namespace hartslag::client
