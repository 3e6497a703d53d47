// SignalFigures: intake's figures for the programme's reports. Checks the
// request, narrows it to what the caller may count (a coordinator its areas
// and their wijken, an admin the whole municipality), has the store count,
// and withholds every count of 1 to 4 (services/common/figures.h) before
// the answer leaves. No gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_H_

#include "absl/status/statusor.h"
#include "hartslag/intake/v1/figures.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/intake/signal_figures_store.h"

namespace hartslag::intake {

class SignalFigures {
 public:
  explicit SignalFigures(const SignalFiguresStore* store) : store_(store) {}

  // INVALID_ARGUMENT naming period.* or area_id; PERMISSION_DENIED for an
  // area outside a coordinator's. The audit record gets the period as its
  // object and the number of rows.
  absl::StatusOr<v1::GetSignalFiguresResponse> Get(const RequestContext& caller,
                                                   const v1::GetSignalFiguresRequest& request,
                                                   AuditRecord& audit) const;

 private:
  const SignalFiguresStore* store_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_FIGURES_H_
