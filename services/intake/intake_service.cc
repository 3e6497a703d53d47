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
    {"UploadAttachment", Roles({Role::kReporter}).Audit(audit::v1::ACTION_CREATE, "attachment")},
    {"ReadAttachment", Roles({Role::kReporter, Role::kCoordinator}).Audit(audit::v1::ACTION_READ, "attachment")},
    {"ListUntriagedSignals", Services({"cases"})},
    {"RecordTriageOutcomes", Services({"cases"})},
    {"GetSignalFigures", Roles({Role::kCoordinator, Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "figures")},
    {"RecordCaseStates", Services({"cases"})},
    {"ListCategoryDefinitions", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_LIST, "category")},
    {"CreateCategory", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_CREATE, "category")},
    {"UpdateCategory", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "category")},
    {"RetireCategory", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "category")},
    {"ReorderCategories", Roles({Role::kAdmin}).Audit(audit::v1::ACTION_UPDATE, "category")},
});

grpc::ServerUnaryReactor* SignalServiceImpl::SubmitSignal(grpc::CallbackServerContext* call,
                                                          const v1::SubmitSignalRequest* request,
                                                          v1::SubmitSignalResponse* response) {
  return runner_->Run(
      call, "SubmitSignal", *request,
      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) { return intake_->Submit(c, *request, audit); }),
      [this, request, response](const RequestContext& c, AuditRecord& audit, std::shared_ptr<RpcRunner::Later> later) {
        return intake_->SubmitBatchedThen(c, *request, audit, [this, request, response, later](std::optional<v1::Signal> stored) {
          if (stored) {
            *response->mutable_signal() = *std::move(stored);
            return later->Finish(absl::OkStatus());
          }
          later->Continue(Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
            return intake_->SubmitLeftOut(c, *request, audit);
          }));
        });
      });
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

grpc::ServerUnaryReactor* SignalServiceImpl::UploadAttachment(grpc::CallbackServerContext* call,
                                                              const v1::UploadAttachmentRequest* request,
                                                              v1::UploadAttachmentResponse* response) {
  return runner_->Run(call, "UploadAttachment", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return attachments_->Upload(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::ReadAttachment(grpc::CallbackServerContext* call,
                                                            const v1::ReadAttachmentRequest* request,
                                                            v1::ReadAttachmentResponse* response) {
  return runner_->Run(call, "ReadAttachment", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return attachments_->Read(c, *request, audit);
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

grpc::ServerUnaryReactor* TriageFeedServiceImpl::RecordCaseStates(grpc::CallbackServerContext* call,
                                                                   const v1::RecordCaseStatesRequest* request,
                                                                   v1::RecordCaseStatesResponse* response) {
  return runner_->Run(call, "RecordCaseStates", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord&) {
                        return intake_->RecordCaseStates(*request, c.deadline);
                      }));
}

grpc::ServerUnaryReactor* CategoryServiceImpl::ListCategoryDefinitions(
    grpc::CallbackServerContext* call, const v1::ListCategoryDefinitionsRequest* request,
    v1::ListCategoryDefinitionsResponse* response) {
  return runner_->Run(call, "ListCategoryDefinitions", *request,
                      Into(response, [this](const RequestContext& c, AuditRecord& audit) {
                        return admin_->List(c, audit);
                      }));
}

grpc::ServerUnaryReactor* CategoryServiceImpl::CreateCategory(grpc::CallbackServerContext* call,
                                                              const v1::CreateCategoryRequest* request,
                                                              v1::Category* response) {
  return runner_->Run(call, "CreateCategory", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return admin_->Create(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* CategoryServiceImpl::UpdateCategory(grpc::CallbackServerContext* call,
                                                              const v1::UpdateCategoryRequest* request,
                                                              v1::Category* response) {
  return runner_->Run(call, "UpdateCategory", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return admin_->Update(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* CategoryServiceImpl::RetireCategory(grpc::CallbackServerContext* call,
                                                              const v1::RetireCategoryRequest* request,
                                                              v1::Category* response) {
  return runner_->Run(call, "RetireCategory", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return admin_->Retire(c, *request, audit);
                      }));
}

grpc::ServerUnaryReactor* CategoryServiceImpl::ReorderCategories(grpc::CallbackServerContext* call,
                                                                 const v1::ReorderCategoriesRequest* request,
                                                                 v1::ListCategoryDefinitionsResponse* response) {
  return runner_->Run(call, "ReorderCategories", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return admin_->Reorder(c, *request, audit);
                      }));
}

}  // namespace hartslag::intake
