#include "services/intake/signal_figures_service.h"

namespace hartslag::intake {

grpc::ServerUnaryReactor* SignalFiguresServiceImpl::GetSignalFigures(grpc::CallbackServerContext* call,
                                                                     const v1::GetSignalFiguresRequest* request,
                                                                     v1::GetSignalFiguresResponse* response) {
  return runner_->Run(call, "GetSignalFigures", *request,
                      Into(response, [this, request](const RequestContext& c, AuditRecord& audit) {
                        return figures_->Get(c, *request, audit);
                      }));
}

}  // namespace hartslag::intake
