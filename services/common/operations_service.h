// hartslag.operations.v1.OperationsService: what every Hartslag service
// answers about itself: its outbox's backlog, the events it set aside, and a
// Ping that measures the transport. Each service's
// main registers one next to its own services.
#ifndef HARTSLAG_SERVICES_COMMON_OPERATIONS_SERVICE_H_
#define HARTSLAG_SERVICES_COMMON_OPERATIONS_SERVICE_H_

#include "hartslag/operations/v1/operations.grpc.pb.h"
#include "services/common/metrics.h"
#include "services/common/server.h"
#include "services/common/service_audit.h"

namespace hartslag {

extern const AccessPolicy kOperationsPolicy;

class OperationsServiceImpl final : public operations::v1::OperationsService::CallbackService {
 public:
  // Calls are authenticated, checked against kOperationsPolicy and recorded
  // in `audit`'s trail like any call of the service; Ping, which touches no
  // data, is not recorded.
  // `targets`: the receivers the service's outbox serves.
  OperationsServiceImpl(const Authenticator* authenticator, WorkerPool* workers, const ServiceAudit* audit,
                        db::Pool* pool, std::vector<std::string> targets = {kAuditTarget})
      : runner_(authenticator, &kOperationsPolicy, workers, audit->trail()),
        audit_(audit),
        pool_(pool),
        targets_(std::move(targets)) {}

  const std::vector<std::string>& targets() const { return targets_; }

  grpc::ServerUnaryReactor* GetOutboxStatus(grpc::CallbackServerContext* call,
                                            const operations::v1::GetOutboxStatusRequest* request,
                                            operations::v1::GetOutboxStatusResponse* response) override;
  grpc::ServerUnaryReactor* ListDeadLetters(grpc::CallbackServerContext* call,
                                            const operations::v1::ListDeadLettersRequest* request,
                                            operations::v1::ListDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* call, const operations::v1::PingRequest* request,
                                 operations::v1::PingResponse* response) override;

 private:
  const RpcRunner runner_;
  const ServiceAudit* audit_;
  db::Pool* pool_;
  const std::vector<std::string> targets_;
};

// The service's metrics endpoint on --metrics-address (none when empty):
// its RPCs (RpcMetrics), its database's reachability, its connection pool
// (in use, idle, waits) and its outbox per receiver (waiting, the oldest's
// age, dead letters), and whatever `more` adds of the service's own.
absl::StatusOr<std::unique_ptr<MetricsEndpoint>> ServeMetrics(const Flags& flags, db::Pool* pool,
                                                              const ServiceAudit* audit,
                                                              std::vector<std::string> targets,
                                                              MetricsEndpoint::Collect more = nullptr);

}  // namespace hartslag

#endif  // HARTSLAG_SERVICES_COMMON_OPERATIONS_SERVICE_H_
