// CaseLifecycle: cases from opening to closing (and reopening), who works
// on them, their notes, and break-the-glass reads with their review list.
// Validates requests, applies need-to-know (case_access.h) and the
// lifecycle (case_rules.h), and composes the stores in one audited
// transaction per change, with the case's state for intake when it opens,
// closes or reopens. No gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_CASES_CASE_LIFECYCLE_H_
#define HARTSLAG_SERVICES_CASES_CASE_LIFECYCLE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "hartslag/cases/v1/cases.pb.h"
#include "services/cases/case_domain.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"

namespace hartslag::cases {

class CaseLifecycle {
 public:
  explicit CaseLifecycle(const CasesData* data) : data_(data) {}

  absl::StatusOr<v1::Case> Open(const RequestContext& caller, v1::OpenCaseRequest request, AuditRecord& audit);
  absl::StatusOr<v1::CaseSummary> Get(const RequestContext& caller, const v1::GetCaseRequest& request,
                                      AuditRecord& audit);
  absl::StatusOr<v1::ListCasesResponse> List(const RequestContext& caller, const v1::ListCasesRequest& request,
                                             AuditRecord& audit);
  absl::StatusOr<v1::Case> Transition(const RequestContext& caller, const v1::TransitionCaseRequest& request,
                                      AuditRecord& audit);
  absl::StatusOr<v1::Case> Reopen(const RequestContext& caller, const v1::ReopenCaseRequest& request,
                                  AuditRecord& audit);
  absl::StatusOr<v1::Case> Update(const RequestContext& caller, const v1::UpdateCaseRequest& request,
                                  AuditRecord& audit);
  absl::StatusOr<v1::Note> AddNote(const RequestContext& caller, v1::AddNoteRequest request, AuditRecord& audit);
  absl::StatusOr<v1::ListNotesResponse> ListNotes(const RequestContext& caller, const v1::ListNotesRequest& request,
                                                  AuditRecord& audit);
  absl::StatusOr<v1::ListBreakGlassReviewsResponse> BreakGlassReviews(
      const RequestContext& caller, const v1::ListBreakGlassReviewsRequest& request, AuditRecord& audit);
  absl::StatusOr<v1::BreakGlassReview> CompleteBreakGlassReview(const RequestContext& caller,
                                                                v1::CompleteBreakGlassReviewRequest request,
                                                                AuditRecord& audit);

 private:
  // A page of the notes the caller may read of a case.
  absl::StatusOr<v1::ListNotesResponse> NotesPage(const RequestContext& caller, const v1::ListNotesRequest& request);
  // Changes a case the caller may see and steer: `change` edits it under its
  // row lock and returns the lifecycle step to record, if any. NOT_FOUND,
  // audited as a refusal, for a case the caller may not see.
  using Change = std::function<absl::StatusOr<std::optional<StatusStep>>(v1::Case&)>;
  absl::StatusOr<v1::Case> Steer(const RequestContext& caller, const std::string& case_id, const Change& change,
                                 AuditRecord& audit);

  const CasesData* data_;
};

}  // namespace hartslag::cases

#endif  // HARTSLAG_SERVICES_CASES_CASE_LIFECYCLE_H_
