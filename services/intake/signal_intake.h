// SignalIntake: the intake domain. Takes validated requests from the gRPC
// surface, applies need-to-know (signal_access.h) and calls the store. No gRPC
// and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_INTAKE_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_INTAKE_H_

#include "absl/status/statusor.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/auth.h"
#include "services/common/group_commit.h"
#include "services/intake/category_store.h"
#include "services/intake/reference_cache.h"
#include "services/intake/signal_store.h"

namespace hartslag::intake {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 200;

class SignalIntake {
 public:
  SignalIntake(SignalStore* store, CategoryStore* categories)
      : store_(store),
        categories_(categories),
        reference_(store, categories),
        batcher_("submit", [store](const std::vector<const BatchedSubmission*>& items, absl::Time deadline) {
          std::vector<BatchedSubmission> batch;
          for (const BatchedSubmission* item : items) batch.push_back(*item);
          return store->SubmitBatch(batch, deadline);
        }) {}

  // A tenant's areas, categories or settings changed: submissions from now
  // on are checked against the new ones.
  void ReferenceDataChanged(const std::string& tenant) { reference_.Invalidate(tenant); }

  // Each call fills `audit` (audit_trail.h) with what it touched: the
  // signal, and the persons and address the caller got to see.
  absl::StatusOr<v1::SubmitSignalResponse> Submit(const RequestContext& caller,
                                                  v1::SubmitSignalRequest request,
                                                  AuditRecord& audit);
  // Submit's usual way without a thread that waits for the batch (the gRPC
  // surface's quick way, server.h): false when the submission cannot take it
  // (the tenant's data is not held in memory, or a check fails) or too many
  // wait already, and Submit decides. Otherwise `then` is called once the
  // batch has ended, on its thread: with the stored signal, `audit` then
  // holds its record; or with nullopt, and SubmitLeftOut decides. `caller`
  // and `audit` must stay valid until then.
  bool SubmitBatchedThen(const RequestContext& caller, const v1::SubmitSignalRequest& request, AuditRecord& audit,
                         std::function<void(std::optional<v1::Signal>)> then);
  // A submission that SubmitBatchedThen's batch left out, decided on fresh data.
  absl::StatusOr<v1::SubmitSignalResponse> SubmitLeftOut(const RequestContext& caller,
                                                         v1::SubmitSignalRequest request, AuditRecord& audit);
  absl::StatusOr<v1::Signal> Get(const RequestContext& caller, const v1::GetSignalRequest& request,
                                 AuditRecord& audit);
  absl::StatusOr<v1::ListSignalsResponse> List(const RequestContext& caller,
                                               const v1::ListSignalsRequest& request,
                                               AuditRecord& audit);
  absl::StatusOr<v1::ListCategoriesResponse> Categories(const RequestContext& caller,
                                                        AuditRecord& audit);
  // The caller's areas (its token's) and every area below them.
  absl::StatusOr<v1::ListAreasResponse> Areas(const RequestContext& caller, AuditRecord& audit);

  // The triage feed for the cases service (TriageFeedService).
  absl::StatusOr<v1::ListSignalsResponse> Untriaged(const v1::ListUntriagedSignalsRequest& request,
                                                    absl::Time deadline);
  absl::StatusOr<v1::RecordTriageOutcomesResponse> RecordOutcomes(
      const v1::RecordTriageOutcomesRequest& request, absl::Time deadline);
  absl::StatusOr<v1::RecordCaseStatesResponse> RecordCaseStates(const v1::RecordCaseStatesRequest& request,
                                                                absl::Time deadline);

 private:
  // The caller's coordinator areas with their sub-areas (empty if not a coordinator).
  absl::StatusOr<std::set<std::string>> CoordinatorScope(const RequestContext& caller);

  // A submission on the way most take, checked against the tenant data held
  // in memory and stored by a group commit, with what its item points at.
  struct BatchedCall {
    const RequestContext* caller;
    Submission submission;
    std::shared_ptr<const TenantReference> tenant;
    const v1::Category* category;  // in tenant's
    AuditRecord record;            // the call's, once the batch stored the signal
    BatchedSubmission item() { return {caller, &submission, tenant.get(), category, &record}; }
  };
  // nullopt when the submission cannot take the batch's way; the one-by-one
  // way then decides.
  std::optional<BatchedCall> PrepareBatched(const RequestContext& caller, const v1::SubmitSignalRequest& request,
                                            absl::Time now, std::shared_ptr<const TenantReference> tenant,
                                            const AuditRecord& audit);
  // The one-by-one way, for what the batch's way did not store.
  absl::StatusOr<v1::SubmitSignalResponse> Decide(const RequestContext& caller, v1::SubmitSignalRequest request,
                                                  absl::Time now, const TenantReference* tenant, AuditRecord& audit);
  // Everything checked on fresh data: retries, refusals, and whatever the
  // batch left out, stored in one transaction. `tenant` is the data held in
  // memory, or null: it decides only whether a refused category is refused
  // without asking the store.
  absl::StatusOr<v1::SubmitSignalResponse> SubmitOneByOne(const RequestContext& caller,
                                                          v1::SubmitSignalRequest request, absl::Time now,
                                                          const TenantReference* tenant, AuditRecord& audit);

  SignalStore* store_;
  CategoryStore* categories_;
  ReferenceCache reference_;
  // Group commit of the submissions PrepareBatched readies: a signal the batch
  // did not store is answered nullopt.
  GroupCommit<BatchedSubmission, std::optional<v1::Signal>> batcher_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_INTAKE_H_
