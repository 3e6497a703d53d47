#include "services/intake/intake_service.h"

#include "services/common/status_macros.h"

namespace hartslag::intake {
const AccessPolicy kIntakePolicy({
    {"SubmitSignal", Roles({Role::kReporter}).Audit(audit::v1::ACTION_CREATE, "signal")},
    {"GetSignal", Roles({Role::kReporter, Role::kCoordinator}).Audit(audit::v1::ACTION_READ, "signal")},
    {"ListSignals", Roles({Role::kReporter, Role::kCoordinator}).Audit(audit::v1::ACTION_LIST, "signal")},
    {"ListCategories",
     Roles({Role::kReporter, Role::kCoordinator}).Audit(audit::v1::ACTION_LIST, "category")},
    {"ListAreas", Roles({Role::kReporter, Role::kCoordinator}).Audit(audit::v1::ACTION_LIST, "area")},
    {"ListUntriagedSignals", Services({"cases"})},
    {"RecordTriageOutcomes", Services({"cases"})},
});

grpc::ServerUnaryReactor* SignalServiceImpl::SubmitSignal(grpc::CallbackServerContext* call,
                                                          const v1::SubmitSignalRequest* request,
                                                          v1::SubmitSignalResponse* response) {
  return runner_->Run(call, "SubmitSignal", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return intake_->Submit(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::GetSignal(grpc::CallbackServerContext* call,
                                                       const v1::GetSignalRequest* request,
                                                       v1::Signal* response) {
  return runner_->Run(call, "GetSignal", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return intake_->Get(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::ListSignals(grpc::CallbackServerContext* call,
                                                         const v1::ListSignalsRequest* request,
                                                         v1::ListSignalsResponse* response) {
  return runner_->Run(call, "ListSignals", *request, Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return intake_->List(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::ListCategories(grpc::CallbackServerContext* call,
                                                            const v1::ListCategoriesRequest* request,
                                                            v1::ListCategoriesResponse* response) {
  return runner_->Run(call, "ListCategories", *request, Into(response, [this](const RequestContext& c, AuditRecord& audit) {
                        return intake_->Categories(c, audit);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::ListAreas(grpc::CallbackServerContext* call,
                                                       const v1::ListAreasRequest* request,
                                                       v1::ListAreasResponse* response) {
  return runner_->Run(call, "ListAreas", *request, Into(response, [this](const RequestContext& c, AuditRecord& audit) {
                        return intake_->Areas(c, audit);
                      }));
}

grpc::ServerUnaryReactor* TriageFeedServiceImpl::ListUntriagedSignals(
    grpc::CallbackServerContext* call, const v1::ListUntriagedSignalsRequest* request,
    v1::ListSignalsResponse* response) {
  return runner_->Run(call, "ListUntriagedSignals", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord&) {
                        return intake_->Untriaged(*request, c.deadline);
                      }));
}

grpc::ServerUnaryReactor* TriageFeedServiceImpl::RecordTriageOutcomes(
    grpc::CallbackServerContext* call, const v1::RecordTriageOutcomesRequest* request,
    v1::RecordTriageOutcomesResponse* response) {
  return runner_->Run(call, "RecordTriageOutcomes", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord&) {
                        return intake_->RecordOutcomes(*request, c.deadline);
                      }));
}

}  // namespace hartslag::intake
