// The gRPC surface of intake's figures (SignalFiguresService): each call is
// authenticated, checked against kIntakePolicy and audited by the shared
// RpcRunner, then handed to SignalFigures.
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_SERVICE_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_SERVICE_H_

#include "hartslag/intake/v1/figures.grpc.pb.h"
#include "services/common/server.h"
#include "services/intake/signal_figures.h"

namespace hartslag::intake {

class SignalFiguresServiceImpl final : public v1::SignalFiguresService::CallbackService {
 public:
  SignalFiguresServiceImpl(const RpcRunner* runner, const SignalFigures* figures)
      : runner_(runner), figures_(figures) {}

  grpc::ServerUnaryReactor* GetSignalFigures(grpc::CallbackServerContext* call,
                                             const v1::GetSignalFiguresRequest* request,
                                             v1::GetSignalFiguresResponse* response) override;

 private:
  const RpcRunner* runner_;
  const SignalFigures* figures_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_SERVICE_H_
