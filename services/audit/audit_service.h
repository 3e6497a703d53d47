// The gRPC surface of hartslag-audit: each RPC is checked against
// kAuditPolicy by the shared RpcRunner, then handed to AuditLog.
#ifndef HARTSLAG_SERVICES_AUDIT_AUDIT_SERVICE_H_
#define HARTSLAG_SERVICES_AUDIT_AUDIT_SERVICE_H_

#include "hartslag/audit/v1/audit.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/common/server.h"

namespace hartslag::audit {

// Append for the Hartslag services; everything else for privacy officers.
extern const AccessPolicy kAuditPolicy;

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(const RpcRunner* runner, AuditLog* log) : runner_(runner), log_(log) {}

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* call, const v1::AppendRequest* request,
      v1::AppendResponse* response) override;
  grpc::ServerUnaryReactor* GetTreeHead(grpc::CallbackServerContext* call, const v1::GetTreeHeadRequest* request,
      v1::SignedTreeHead* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* call, const v1::GetInclusionProofRequest* request,
      v1::InclusionProof* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* call, const v1::GetConsistencyProofRequest* request,
      v1::ConsistencyProof* response) override;
  grpc::ServerUnaryReactor* ExportLog(grpc::CallbackServerContext* call, const v1::ExportLogRequest* request,
      v1::ExportLogResponse* response) override;
  grpc::ServerUnaryReactor* QueryEvents(grpc::CallbackServerContext* call, const v1::QueryEventsRequest* request,
      v1::QueryEventsResponse* response) override;
  grpc::ServerUnaryReactor* GetAccessOverview(grpc::CallbackServerContext* call, const v1::GetAccessOverviewRequest* request,
      v1::GetAccessOverviewResponse* response) override;
  grpc::ServerUnaryReactor* AddRestriction(grpc::CallbackServerContext* call, const v1::AddRestrictionRequest* request,
      v1::Restriction* response) override;
  grpc::ServerUnaryReactor* LiftRestriction(grpc::CallbackServerContext* call, const v1::LiftRestrictionRequest* request,
      v1::Restriction* response) override;
  grpc::ServerUnaryReactor* ListRestrictions(grpc::CallbackServerContext* call, const v1::ListRestrictionsRequest* request,
      v1::ListRestrictionsResponse* response) override;

 private:
  const RpcRunner* runner_;
  AuditLog* log_;
};

}  // namespace hartslag::audit

#endif  // HARTSLAG_SERVICES_AUDIT_AUDIT_SERVICE_H_
