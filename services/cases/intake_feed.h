// Intake's TriageFeedService as hartslag-cases uses it, over mutual TLS as
// spiffe://hartslag/service/cases: the untriaged signals for the triage
// queue, and delivery of triage outcomes and case states from the outbox.
// Thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_INTAKE_FEED_H_
#define HARTSLAG_SERVICES_CASES_INTAKE_FEED_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hartslag/intake/v1/intake.grpc.pb.h"
#include "services/cases/triage.h"
#include "services/common/outbox.h"

namespace hartslag::cases {

class IntakeFeed {
 public:
  explicit IntakeFeed(std::shared_ptr<grpc::Channel> channel)
      : stub_(intake::v1::TriageFeedService::NewStub(std::move(channel))) {}

  // One page of the untriaged signals of `areas`, oldest first.
  absl::StatusOr<UntriagedPage> Untriaged(const std::string& tenant, const std::vector<std::string>& areas,
                                          int page_size, const std::string& page_token, absl::Time deadline,
                                          const Trace& trace);
  // Triage outcomes (kIntakeTarget). An outcome that does not parse is
  // refused, to be set aside.
  absl::StatusOr<std::vector<OutboxRelay::Refusal>> Deliver(const std::vector<std::string>& payloads);
  // Case states (kIntakeCaseStatesTarget); likewise.
  absl::StatusOr<std::vector<OutboxRelay::Refusal>> DeliverCaseStates(const std::vector<std::string>& payloads);

 private:
  std::unique_ptr<intake::v1::TriageFeedService::Stub> stub_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_INTAKE_FEED_H_
