// Triage: the coordinator's weekly weighing of signals. The queue comes from
// intake (untriaged signals of the caller's areas) with proposals from this
// service's own data; a decision opens or links a case and sends the
// outcome (with the case) to intake through the outbox, exactly once.
// Thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_TRIAGE_H_
#define HARTSLAG_SERVICES_CASES_TRIAGE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/cases/case_domain.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/trace.h"

namespace hartslag::cases {

// One page of intake's untriaged signals of a tenant's areas, oldest first,
// and the token of the next page (empty on the last).
struct UntriagedPage {
  std::vector<intake::v1::Signal> signals;
  std::string next_page_token;
};
// Where the triage queue comes from: a page of `page_size` from `page_token`
// (empty: the first), asked for the request whose trace is given.
using UntriagedSignals = std::function<absl::StatusOr<UntriagedPage>(
    const std::string& tenant, const std::vector<std::string>& areas, int page_size,
    const std::string& page_token, absl::Time deadline, const Trace& trace)>;

class Triage {
 public:
  // Outcomes for intake go into the service's outbox (data->outbox).
  Triage(const CasesData* data, UntriagedSignals untriaged) : data_(data), untriaged_(std::move(untriaged)) {}

  absl::StatusOr<v1::TriageQueue> Queue(const RequestContext& caller, const v1::GetTriageQueueRequest& request,
                                        AuditRecord& audit);
  absl::StatusOr<v1::TriageDecision> Decide(const RequestContext& caller, v1::TriageSignalRequest request,
                                            AuditRecord& audit);

 private:
  const CasesData* data_;
  UntriagedSignals untriaged_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_TRIAGE_H_
