#include "services/audit/audit_service.h"

namespace hartslag::audit {
namespace {

AccessRule PrivacyOfficer(v1::Action action) {
  return Roles({Role::kPrivacyOfficer}).Audit(action, "audit_log");
}

}  // namespace

const AccessPolicy kAuditPolicy({
    {"Append", Services({"intake", "directory", "cases"})},
    {"GetTreeHead", PrivacyOfficer(v1::ACTION_READ)},
    {"GetInclusionProof", PrivacyOfficer(v1::ACTION_READ)},
    {"GetConsistencyProof", PrivacyOfficer(v1::ACTION_READ)},
    {"ExportLog", PrivacyOfficer(v1::ACTION_EXPORT)},
    {"QueryEvents", PrivacyOfficer(v1::ACTION_LIST)},
    {"GetAccessOverview", PrivacyOfficer(v1::ACTION_LIST)},
    {"AddRestriction", Roles({Role::kPrivacyOfficer}).Audit(v1::ACTION_CREATE, "restriction")},
    {"LiftRestriction", Roles({Role::kPrivacyOfficer}).Audit(v1::ACTION_UPDATE, "restriction")},
    {"ListRestrictions", Roles({Role::kPrivacyOfficer}).Audit(v1::ACTION_LIST, "restriction")},
});

grpc::ServerUnaryReactor* AuditServiceImpl::Append(grpc::CallbackServerContext* call,
                                                 const v1::AppendRequest* request,
                                                 v1::AppendResponse* response) {
  return runner_->Run(call, "Append", *request, Into(response, [this, request](const RequestContext& c, AuditRecord&) {
                        return log_->Append(c.peer_identity, *request);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetTreeHead(grpc::CallbackServerContext* call,
                                                 const v1::GetTreeHeadRequest* request,
                                                 v1::SignedTreeHead* response) {
  return runner_->Run(call, "GetTreeHead", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->GetTreeHead(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetInclusionProof(grpc::CallbackServerContext* call,
                                                 const v1::GetInclusionProofRequest* request,
                                                 v1::InclusionProof* response) {
  return runner_->Run(call, "GetInclusionProof", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->GetInclusionProof(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetConsistencyProof(grpc::CallbackServerContext* call,
                                                 const v1::GetConsistencyProofRequest* request,
                                                 v1::ConsistencyProof* response) {
  return runner_->Run(call, "GetConsistencyProof", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->GetConsistencyProof(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::ExportLog(grpc::CallbackServerContext* call,
                                                 const v1::ExportLogRequest* request,
                                                 v1::ExportLogResponse* response) {
  return runner_->Run(call, "ExportLog", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->ExportLog(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::QueryEvents(grpc::CallbackServerContext* call,
                                                 const v1::QueryEventsRequest* request,
                                                 v1::QueryEventsResponse* response) {
  return runner_->Run(call, "QueryEvents", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->QueryEvents(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetAccessOverview(grpc::CallbackServerContext* call,
                                                 const v1::GetAccessOverviewRequest* request,
                                                 v1::GetAccessOverviewResponse* response) {
  return runner_->Run(call, "GetAccessOverview", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->GetAccessOverview(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::AddRestriction(grpc::CallbackServerContext* call,
                                                 const v1::AddRestrictionRequest* request,
                                                 v1::Restriction* response) {
  return runner_->Run(call, "AddRestriction", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->AddRestriction(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::LiftRestriction(grpc::CallbackServerContext* call,
                                                 const v1::LiftRestrictionRequest* request,
                                                 v1::Restriction* response) {
  return runner_->Run(call, "LiftRestriction", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->LiftRestriction(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListRestrictions(grpc::CallbackServerContext* call,
                                                 const v1::ListRestrictionsRequest* request,
                                                 v1::ListRestrictionsResponse* response) {
  return runner_->Run(call, "ListRestrictions", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return log_->ListRestrictions(c, *request, audit);
                      }));
}

}  // namespace hartslag::audit
