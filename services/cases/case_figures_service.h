// The gRPC surface of the cases service's figures (CaseFiguresService):
// each call is authenticated, checked against kCasesPolicy and audited by
// the shared RpcRunner, then handed to CaseFigures.
#ifndef HARTSLAG_SERVICES_CASES_CASE_FIGURES_SERVICE_H_
#define HARTSLAG_SERVICES_CASES_CASE_FIGURES_SERVICE_H_

#include "hartslag/cases/v1/figures.grpc.pb.h"
#include "services/cases/case_figures.h"
#include "services/common/server.h"

namespace hartslag::cases {

class CaseFiguresServiceImpl final : public v1::CaseFiguresService::CallbackService {
 public:
  CaseFiguresServiceImpl(const RpcRunner* runner, const CaseFigures* figures) : runner_(runner), figures_(figures) {}

  grpc::ServerUnaryReactor* GetCaseFigures(grpc::CallbackServerContext* call, const v1::GetCaseFiguresRequest* request,
                                           v1::GetCaseFiguresResponse* response) override;

 private:
  const RpcRunner* runner_;
  const CaseFigures* figures_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_FIGURES_SERVICE_H_
