// CaseFigures: the cases service's figures for the programme's reports.
// Checks the request, narrows it to what the caller may count (a
// coordinator its areas and their wijken, an admin the whole municipality),
// has the store count, and withholds every count of 1 to 4 and every lead
// time over fewer than 5 cases (services/common/figures.h) before the answer
// leaves. No gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_FIGURES_H_
#define HARTSLAG_SERVICES_CASES_CASE_FIGURES_H_

#include "absl/status/statusor.h"
#include "hartslag/cases/v1/figures.pb.h"
#include "services/cases/case_domain.h"
#include "services/cases/case_figures_store.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"

namespace hartslag::cases {

class CaseFigures {
 public:
  explicit CaseFigures(const CasesData* data) : data_(data) {}

  // INVALID_ARGUMENT naming period.* or area_id; PERMISSION_DENIED for an
  // area outside a coordinator's. The audit record gets the period as its
  // object and the number of rows.
  absl::StatusOr<v1::GetCaseFiguresResponse> Get(const RequestContext& caller,
                                                 const v1::GetCaseFiguresRequest& request,
                                                 AuditRecord& audit) const;

 private:
  const CasesData* data_;
  CaseFiguresStore store_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_FIGURES_H_
