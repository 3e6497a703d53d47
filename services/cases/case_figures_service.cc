#include "services/cases/case_figures_service.h"

namespace hartslag::cases {

grpc::ServerUnaryReactor* CaseFiguresServiceImpl::GetCaseFigures(grpc::CallbackServerContext* call,
                                                                 const v1::GetCaseFiguresRequest* request,
                                                                 v1::GetCaseFiguresResponse* response) {
  return runner_->Run(call, "GetCaseFigures", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return figures_->Get(c, *request, audit);
                      }));
}

}  // namespace hartslag::cases
