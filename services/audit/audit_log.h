// AuditLog: the audit service's domain. Takes batches of audit events from
// the services, signs tree heads, serves proofs and the export, and answers
// the privacy officer's searches and a data subject's access overview. No
// gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_AUDIT_AUDIT_LOG_H_
#define HARTSLAG_SERVICES_AUDIT_AUDIT_LOG_H_

#include <functional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "hartslag/audit/v1/audit.pb.h"
#include "libs/audit_verify/log_export.h"
#include "services/audit/audit_store.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/common/exactly_once.h"
#include "services/common/pseudonym.h"
#include "services/common/token.h"
#include "services/common/trace.h"

namespace hartslag::audit {

inline constexpr int kDefaultExportPage = 1000;
// The largest audit event the log takes: a record of one call is a few
// hundred bytes, a list's record with its subjects up to some hundreds of
// kilobytes; anything larger is a sender's defect.
inline constexpr size_t kMaxEventBytes = 1 << 20;

// A tenant's organisation ids, as the directory has them, asked for the
// request whose trace is given.
using OrganisationsOf = std::function<absl::StatusOr<std::set<std::string>>(const std::string& tenant,
                                                                           absl::Time deadline, const Trace& trace)>;

class AuditLog {
 public:
  // `pool` is the audit database, which `store` works on too.
  // `tree_head_key`: the Ed25519 private key that signs tree heads.
  // `organisations` checks the organisation a restriction names.
  AuditLog(db::Pool* pool, AuditStore* store, const Pseudonymizer* pseudonyms, KeyPtr tree_head_key,
           std::string key_id, OrganisationsOf organisations = {})
      : pool_(pool),
        once_(kSchema),
        store_(store),
        pseudonyms_(pseudonyms),
        key_(std::move(tree_head_key)),
        key_id_(std::move(key_id)),
        organisations_(std::move(organisations)) {}

  // Appends events sent by the service whose certificate names `sender`;
  // each stored event records that sender in origin.service. Each event is
  // checked on its own: one that does not parse, is larger than
  // kMaxEventBytes or has a field out of bounds is refused (by position, with
  // the reason, so that its sender sets it aside) and the others are stored.
  // An error means nothing was refused for good: the batch is to be retried.
  absl::StatusOr<v1::AppendResponse> Append(absl::string_view sender,
                                            const v1::AppendRequest& request);

  // Signs a tree head over every log that grew since its last one.
  absl::Status PublishTreeHeads();

  // The privacy officer's calls, on the caller's tenant's log. Each fills
  // `audit` with what it read.
  absl::StatusOr<v1::SignedTreeHead> GetTreeHead(const RequestContext& caller,
                                                 const v1::GetTreeHeadRequest& request,
                                                 AuditRecord& audit);
  absl::StatusOr<v1::InclusionProof> GetInclusionProof(const RequestContext& caller,
                                                       const v1::GetInclusionProofRequest& request,
                                                       AuditRecord& audit);
  absl::StatusOr<v1::ConsistencyProof> GetConsistencyProof(
      const RequestContext& caller, const v1::GetConsistencyProofRequest& request,
      AuditRecord& audit);
  absl::StatusOr<v1::ExportLogResponse> ExportLog(const RequestContext& caller,
                                                  const v1::ExportLogRequest& request,
                                                  AuditRecord& audit);
  absl::StatusOr<v1::QueryEventsResponse> QueryEvents(const RequestContext& caller,
                                                      const v1::QueryEventsRequest& request,
                                                      AuditRecord& audit);
  absl::StatusOr<v1::GetAccessOverviewResponse> GetAccessOverview(
      const RequestContext& caller, const v1::GetAccessOverviewRequest& request,
      AuditRecord& audit);
  // Exactly-once by the request's request_id (ExactlyOnce), the subject
  // compared by its pseudonym, so that the answer kept for retries holds no
  // name or address.
  absl::StatusOr<v1::Restriction> AddRestriction(const RequestContext& caller,
                                                 const v1::AddRestrictionRequest& request,
                                                 AuditRecord& audit);
  absl::StatusOr<v1::Restriction> LiftRestriction(const RequestContext& caller,
                                                  const v1::LiftRestrictionRequest& request,
                                                  AuditRecord& audit);
  absl::StatusOr<v1::ListRestrictionsResponse> ListRestrictions(const RequestContext& caller,
                                                                const v1::ListRestrictionsRequest& request,
                                                                AuditRecord& audit);

 private:
  absl::StatusOr<TreeHead> SignNow(const std::string& log_id);
  absl::StatusOr<TreeHead> Latest(const std::string& log_id);
  // The pseudonym a query names; INVALID_ARGUMENT naming `field` if none.
  absl::StatusOr<std::string> PseudonymOf(const v1::Subject& subject, absl::string_view field) const;

  db::Pool* pool_;
  const ExactlyOnce once_;
  AuditStore* store_;
  const Pseudonymizer* pseudonyms_;
  KeyPtr key_;
  std::string key_id_;
  OrganisationsOf organisations_;
};

}  // namespace hartslag::audit

#endif  // HARTSLAG_SERVICES_AUDIT_AUDIT_LOG_H_
