#include "services/intake/intake_service.h"

#include "services/common/status_macros.h"

namespace hartslag::intake {
namespace {

// Runs `produce` and, on success, moves its value into `response`.
template <typename Response, typename Produce>
RpcRunner::Handler Into(Response* response, Produce produce) {
  return [response, produce = std::move(produce)](const RequestContext& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*response, produce(caller));
    return absl::OkStatus();
  };
}

}  // namespace

const AccessPolicy kIntakePolicy({
    {"SubmitSignal", {Role::kReporter}},
    {"GetSignal", {Role::kReporter, Role::kCoordinator}},
    {"ListSignals", {Role::kReporter, Role::kCoordinator}},
    {"ListCategories", {Role::kReporter, Role::kCoordinator}},
});

grpc::ServerUnaryReactor* SignalServiceImpl::SubmitSignal(grpc::CallbackServerContext* call,
                                                          const v1::SubmitSignalRequest* request,
                                                          v1::SubmitSignalResponse* response) {
  return runner_->Run(call, "SubmitSignal", Into(response, [this, request](const RequestContext& c) {
                        return intake_->Submit(c, *request);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::GetSignal(grpc::CallbackServerContext* call,
                                                       const v1::GetSignalRequest* request,
                                                       v1::Signal* response) {
  return runner_->Run(call, "GetSignal", Into(response, [this, request](const RequestContext& c) {
                        return intake_->Get(c, *request);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::ListSignals(grpc::CallbackServerContext* call,
                                                         const v1::ListSignalsRequest* request,
                                                         v1::ListSignalsResponse* response) {
  return runner_->Run(call, "ListSignals", Into(response, [this, request](const RequestContext& c) {
                        return intake_->List(c, *request);
                      }));
}

grpc::ServerUnaryReactor* SignalServiceImpl::ListCategories(grpc::CallbackServerContext* call,
                                                            const v1::ListCategoriesRequest*,
                                                            v1::ListCategoriesResponse* response) {
  return runner_->Run(call, "ListCategories", Into(response, [this](const RequestContext& c) {
                        return intake_->Categories(c);
                      }));
}

}  // namespace hartslag::intake
