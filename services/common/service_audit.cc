#include "services/common/service_audit.h"

#include <grpcpp/grpcpp.h>

#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "services/common/log.h"
#include "services/common/server.h"
#include "services/common/status_macros.h"

namespace hartslag {

OutboxRelay::Deliver AuditAppendOver(std::shared_ptr<grpc::Channel> channel) {
  std::shared_ptr<audit::v1::AuditService::Stub> stub = audit::v1::AuditService::NewStub(channel);
  return [stub](const std::vector<std::string>& payloads) -> absl::StatusOr<std::vector<OutboxRelay::Refusal>> {
    audit::v1::AppendRequest request;
    for (const std::string& payload : payloads) request.add_events(payload);
    grpc::ClientContext call;
    call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    audit::v1::AppendResponse response;
    RETURN_IF_ERROR(FromGrpcStatus(stub->Append(&call, request, &response)));
    return OutboxRelay::Refusals(response.refused());
  };
}

absl::StatusOr<std::unique_ptr<ServiceAudit>> ServiceAudit::Start(const Flags& flags, db::Pool* pool,
                                                                  absl::string_view schema,
                                                                  OutboxRelay::Deliver deliver) {
  if (flags.Get("pseudonym-key").empty()) return absl::InvalidArgumentError("--pseudonym-key is required");
  ASSIGN_OR_RETURN(Pseudonymizer pseudonyms, Pseudonymizer::FromFile(flags.Get("pseudonym-key")));
  std::unique_ptr<ServiceAudit> audit(new ServiceAudit(pool, schema, std::move(pseudonyms)));
  if (!deliver) {
    if (flags.Get("audit").empty()) {
      Log(LogLevel::kWarning, "no --audit: audit records wait in the outbox until it is set");
      return audit;
    }
    ASSIGN_OR_RETURN(auto channel, ServiceChannel(flags, "audit", "audit-ca"));
    deliver = AuditAppendOver(channel);
  }
  audit->relay_ = std::make_unique<OutboxRelay>(
      pool, &audit->outbox_, kAuditTarget, std::move(deliver),
      OutboxRelay::Options().WithinReceiverBounds(
          audit::v1::AppendRequest::descriptor()->FindFieldByNumber(audit::v1::AppendRequest::kEventsFieldNumber)));
  audit->relay_->SetOnSetAside(audit->RecordSetAside());
  audit->trail_.SetRelay(audit->relay_.get());
  audit->relay_->Start();
  return audit;
}

}  // namespace hartslag
