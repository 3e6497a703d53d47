#include "services/intake/signal_attachments.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_settings.h"
#include "services/common/text.h"
#include "services/common/validation.h"
#include "services/intake/attachment_content.h"
#include "services/intake/signal_access.h"

namespace hartslag::intake {
namespace {

// An unfinished upload is removed after this long.
constexpr absl::Duration kUploadLifetime = absl::Hours(24);
// Bytes no attachment names are removed after this long: enough for the
// upload that wrote them to record its attachment.
constexpr absl::Duration kUnreferencedGrace = absl::Hours(1);

// Who and what the attachment is about: the signal's address and persons.
void AddSubjects(const v1::Signal& signal, AuditRecord& audit) {
  if (signal.has_location()) audit.AddAddress(signal.location().address());
  for (const v1::Person& person : signal.persons()) audit.AddPerson(person.name(), person.birth_year());
}

}  // namespace

absl::StatusOr<v1::Signal> SignalAttachments::SignalInFull(const RequestContext& caller, const std::string& signal_id,
                                                           AuditRecord& audit) {
  ASSIGN_OR_RETURN(std::optional<v1::Signal> signal, signals_->FindById(caller.tenant, signal_id, caller.deadline));
  std::set<std::string> scope;
  if (caller.Has(Role::kCoordinator)) {
    ASSIGN_OR_RETURN(scope, signals_->AreasWithin(caller.tenant, caller.areas, caller.deadline));
  }
  if (!signal || ViewOf(caller, scope, *signal) != SignalView::kFull) {
    if (signal) audit.MarkDenied();
    return absl::NotFoundError("signal not found");
  }
  AddSubjects(*signal, audit);
  return *std::move(signal);
}

absl::StatusOr<v1::UploadAttachmentResponse> SignalAttachments::Upload(const RequestContext& caller,
                                                                       v1::UploadAttachmentRequest request,
                                                                       AuditRecord& audit) {
  FieldErrors errors;
  if (!IsUuid(request.signal_id())) errors.Add(Invalid("signal_id", "must be a UUID"));
  if (!IsUuid(request.upload_id())) errors.Add(Invalid("upload_id", "must be a UUID"));
  if (request.offset() < 0 || request.offset() > kMaxAttachmentBytes) {
    errors.Add(Invalid("offset", absl::StrCat("must be 0 to ", kMaxAttachmentBytes)));
  }
  if (static_cast<int64_t>(request.data().size()) > kAttachmentChunkBytes) {
    errors.Add(Invalid("data", absl::StrCat("at most ", kAttachmentChunkBytes, " bytes per chunk")));
  }
  if (request.offset() == 0) errors.Add(CheckText("file_name", *request.mutable_file_name(), 1, 200));
  RETURN_IF_ERROR(errors.status());
  ASSIGN_OR_RETURN(v1::Signal signal, SignalInFull(caller, request.signal_id(), audit));
  // Who reported it adds to it; a coordinator reads only.
  if (signal.reporter().user_id() != caller.user) {
    audit.MarkDenied();
    return absl::NotFoundError("signal not found");
  }
  const UploadKey key{caller.tenant, caller.user, absl::AsciiStrToLower(request.upload_id())};
  v1::UploadAttachmentResponse response;
  ASSIGN_OR_RETURN(std::optional<v1::Attachment> done, attachments_->Completed(key, caller.deadline));
  if (done && done->signal_id() != signal.signal_id()) return Invalid("upload_id", "belongs to another signal's upload");
  if (done) {  // the last chunk again: its answer was lost
    response.set_received_bytes(done->size_bytes());
    *response.mutable_attachment() = *std::move(done);
    audit.SetObjectId(response.attachment().attachment_id());
    return response;
  }

  ASSIGN_OR_RETURN(TenantSettings settings, signals_->TenantSettingsOf(caller.tenant, caller.deadline));
  const int64_t limit = settings.max_attachment_bytes();
  if (request.offset() == 0) {
    // Uploads under way count too: no one parks more than the limit.
    ASSIGN_OR_RETURN(int count, attachments_->CountFor(key, signal.signal_id(), caller.deadline));
    if (count >= settings.max_attachments_per_signal()) {
      return absl::FailedPreconditionError(absl::StrCat("attachments: the signal has ", count,
                                                        " attachments, the most allowed"));
    }
  }
  if (request.offset() + static_cast<int64_t>(request.data().size()) > limit) {
    RETURN_IF_ERROR(attachments_->Abandon(key, caller.deadline));
    return Invalid("data", absl::StrCat("the attachment is larger than ", limit, " bytes, the most allowed"));
  }
  // The call's record goes with its chunk, or, for the last chunk, with the
  // attachment it completes (a record is written once).
  AuditRecord with_attachment;  // not audited on its own
  ASSIGN_OR_RETURN(int64_t received,
                   attachments_->Append(key, signal.signal_id(), request.file_name(), request.offset(),
                                        request.data(), request.last() ? with_attachment : audit, caller.deadline));
  response.set_received_bytes(received);
  if (!request.last()) return response;

  ASSIGN_OR_RETURN(auto upload, attachments_->Assemble(key, caller.deadline));
  absl::StatusOr<CleanAttachment> clean = CleanAttachmentContent("data", upload.first);
  if (!clean.ok()) {
    RETURN_IF_ERROR(attachments_->Abandon(key, caller.deadline));
    return clean.status();
  }
  StoredAttachment stored;
  v1::Attachment& a = stored.attachment;
  a.set_attachment_id(RandomUuid());
  a.set_signal_id(signal.signal_id());
  a.set_media_type(std::string(MediaType(clean->type)));
  a.set_size_bytes(static_cast<int64_t>(clean->bytes.size()));
  a.set_file_name(upload.second);
  a.set_sha256(HexEncode(Sha256(clean->bytes)));
  stored.storage_key = absl::StrCat(caller.tenant, "/", a.attachment_id());
  // The bytes first: a recorded attachment never names missing bytes.
  RETURN_IF_ERROR(contents_->Put(stored.storage_key, clean->bytes, caller.deadline));
  ASSIGN_OR_RETURN(*response.mutable_attachment(),
                   attachments_->Record(key, stored, settings.max_attachments_per_signal(), audit, caller.deadline));
  response.set_received_bytes(received);
  return response;
}

absl::StatusOr<v1::ReadAttachmentResponse> SignalAttachments::Read(const RequestContext& caller,
                                                                   const v1::ReadAttachmentRequest& request,
                                                                   AuditRecord& audit) {
  FieldErrors errors;
  if (!IsUuid(request.signal_id())) errors.Add(Invalid("signal_id", "must be a UUID"));
  if (!IsUuid(request.attachment_id())) errors.Add(Invalid("attachment_id", "must be a UUID"));
  if (request.offset() < 0) errors.Add(Invalid("offset", "must not be negative"));
  RETURN_IF_ERROR(errors.status());
  audit.SetObjectId(request.attachment_id());
  ASSIGN_OR_RETURN(v1::Signal signal, SignalInFull(caller, request.signal_id(), audit));
  ASSIGN_OR_RETURN(std::optional<StoredAttachment> stored,
                   attachments_->Find(caller.tenant, signal.signal_id(), request.attachment_id(), caller.deadline));
  if (!stored) return absl::NotFoundError("attachment not found");
  const int64_t size = stored->attachment.size_bytes();
  if (request.offset() > size) return Invalid("offset", absl::StrCat("must be at most ", size, ", the size"));
  v1::ReadAttachmentResponse response;
  ASSIGN_OR_RETURN(*response.mutable_data(),
                   contents_->Read(stored->storage_key, request.offset(), kAttachmentChunkBytes, caller.deadline));
  response.set_end(request.offset() + static_cast<int64_t>(response.data().size()) >= size);
  *response.mutable_attachment() = std::move(stored->attachment);
  return response;
}

absl::Status SignalAttachments::Sweep(absl::Time deadline) {
  RETURN_IF_ERROR(attachments_->RemoveStaleUploads(absl::Now() - kUploadLifetime, deadline).status());
  return contents_->SweepUnreferenced(kUnreferencedGrace, deadline).status();
}

}  // namespace hartslag::intake
