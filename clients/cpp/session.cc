#include "clients/cpp/session.h"

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/grpc_status.h"
#include "services/common/status_macros.h"

namespace hartslag::client {

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Session::NewCall() const {
  std::string token;
  return NewCall(HexEncode(RandomBytes(8)), &token);
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Session::NewCall(const std::string& request_id,
                                                                      std::string* token) const {
  auto call = std::make_unique<grpc::ClientContext>();
  if (tokens_) {
    ASSIGN_OR_RETURN(*token, tokens_->Token());
    call->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  }
  call->AddMetadata("x-request-id", request_id);
  if (!options_.purpose.empty()) call->AddMetadata("x-hartslag-purpose", options_.purpose);
  call->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  return call;
}

absl::Status Session::Call(Retry retry, const std::function<grpc::Status(grpc::ClientContext&)>& rpc) const {
  const std::string request_id = HexEncode(RandomBytes(8));
  Backoff backoff(options_.retry.backoff);
  bool token_renewed = false;
  for (int attempt = 1;; ++attempt) {
    std::string token;
    ASSIGN_OR_RETURN(std::unique_ptr<grpc::ClientContext> call, NewCall(request_id, &token));
    // After a failure the channel is reconnecting, and gRPC fails a call at
    // once meanwhile: a retry instead waits for it, up to its deadline.
    if (attempt > 1) call->set_wait_for_ready(true);
    grpc::Status status = rpc(*call);
    const grpc::StatusCode code = status.error_code();
    if (code == grpc::StatusCode::UNAUTHENTICATED && tokens_ && !token_renewed) {
      tokens_->Refused(token);
      token_renewed = true;
      continue;
    }
    const bool transient = code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!transient || retry != Retry::kIdempotent || attempt >= options_.retry.max_attempts) {
      return FromGrpcStatus(status);
    }
    absl::SleepFor(backoff.Next());
  }
}

}  // namespace hartslag::client
