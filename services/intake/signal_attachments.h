// SignalAttachments: photos and documents of signals. Only the reporter who
// submitted a signal adds to it; reading follows the signal's details
// (signal_access.h: whoever sees the signal in full). What is stored is what
// attachment_content.h cleaned: the type read from the bytes, a photo without
// its metadata. No gRPC and no SQL here. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_SIGNAL_ATTACHMENTS_H_
#define HARTSLAG_SERVICES_INTAKE_SIGNAL_ATTACHMENTS_H_

#include "absl/status/statusor.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/auth.h"
#include "services/intake/attachment_store.h"
#include "services/intake/signal_store.h"

namespace hartslag::intake {

class SignalAttachments {
 public:
  SignalAttachments(SignalStore* signals, AttachmentStore* attachments, AttachmentContents* contents)
      : signals_(signals), attachments_(attachments), contents_(contents) {}

  absl::StatusOr<v1::UploadAttachmentResponse> Upload(const RequestContext& caller,
                                                      v1::UploadAttachmentRequest request, AuditRecord& audit);
  absl::StatusOr<v1::ReadAttachmentResponse> Read(const RequestContext& caller,
                                                  const v1::ReadAttachmentRequest& request, AuditRecord& audit);

  // Removes unfinished uploads older than a day and bytes no attachment
  // names; for the periodic clean-up.
  absl::Status Sweep(absl::Time deadline);

 private:
  // The signal if the caller sees it in full, else NOT_FOUND (as if absent).
  absl::StatusOr<v1::Signal> SignalInFull(const RequestContext& caller, const std::string& signal_id,
                                          AuditRecord& audit);

  SignalStore* signals_;
  AttachmentStore* attachments_;
  AttachmentContents* contents_;
};

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_SIGNAL_ATTACHMENTS_H_
