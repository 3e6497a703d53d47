// Where attachments are kept. AttachmentContents is the bytes, behind an
// interface so that an S3-compatible object store can take the place of the
// embedded default (PostgresAttachmentContents, a table of intake's own);
// AttachmentStore is what intake knows of each attachment and the uploads
// under way, always in PostgreSQL. The bytes are written before the
// attachment's row and removed after it, so a row never names missing bytes;
// bytes without a row (a crash in between) are swept. Thread-safe.
#ifndef HARTSLAG_SERVICES_INTAKE_ATTACHMENT_STORE_H_
#define HARTSLAG_SERVICES_INTAKE_ATTACHMENT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hartslag/intake/v1/intake.pb.h"
#include "services/common/audit_trail.h"
#include "services/common/db.h"

namespace hartslag::intake {

// The largest chunk an upload takes and a read gives.
inline constexpr int64_t kAttachmentChunkBytes = 1 << 20;

class AttachmentContents {
 public:
  virtual ~AttachmentContents() = default;
  virtual absl::Status Put(const std::string& key, absl::string_view bytes, absl::Time deadline) = 0;
  // At most `length` bytes from `offset`; fewer at the end.
  virtual absl::StatusOr<std::string> Read(const std::string& key, int64_t offset, int64_t length,
                                           absl::Time deadline) = 0;
  virtual absl::Status Delete(const std::vector<std::string>& keys, absl::Time deadline) = 0;
  // Removes bytes stored more than `grace` ago that no attachment names.
  virtual absl::StatusOr<int> SweepUnreferenced(absl::Duration grace, absl::Time deadline) = 0;
};

class PostgresAttachmentContents final : public AttachmentContents {
 public:
  explicit PostgresAttachmentContents(db::Pool* pool) : pool_(pool) {}
  absl::Status Put(const std::string& key, absl::string_view bytes, absl::Time deadline) override;
  absl::StatusOr<std::string> Read(const std::string& key, int64_t offset, int64_t length,
                                   absl::Time deadline) override;
  absl::Status Delete(const std::vector<std::string>& keys, absl::Time deadline) override;
  absl::StatusOr<int> SweepUnreferenced(absl::Duration grace, absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

// Identifies one upload: the uploader's own id for it.
struct UploadKey {
  std::string tenant;
  std::string user;
  std::string upload_id;
};

// A stored attachment and where its bytes are.
struct StoredAttachment {
  v1::Attachment attachment;
  std::string storage_key;
};

class AttachmentStore {
 public:
  explicit AttachmentStore(db::Pool* pool) : pool_(pool) {}

  // The attachment this upload completed, if it did.
  absl::StatusOr<std::optional<v1::Attachment>> Completed(const UploadKey& key, absl::Time deadline);

  // Takes the chunk at `offset` of the upload for `signal_id` in one
  // transaction with `audit`, and returns the bytes received so far. A
  // chunk received before (a retry) changes nothing; a chunk that does not
  // start where the received bytes end is INVALID_ARGUMENT naming offset.
  absl::StatusOr<int64_t> Append(const UploadKey& key, const std::string& signal_id, const std::string& file_name,
                                 int64_t offset, absl::string_view data, AuditRecord& audit, absl::Time deadline);

  // The whole upload, and its file name.
  absl::StatusOr<std::pair<std::string, std::string>> Assemble(const UploadKey& key, absl::Time deadline);

  // Records `stored` (its bytes already in the content store) and ends the
  // upload, in one transaction with `audit`. FAILED_PRECONDITION naming
  // attachments when the signal has `max_per_signal` already. When a retry
  // completed the same upload first, returns that one instead (and
  // `stored` is not recorded: its bytes are for the sweeper).
  absl::StatusOr<v1::Attachment> Record(const UploadKey& key, const StoredAttachment& stored, int max_per_signal,
                                        AuditRecord& audit, absl::Time deadline);

  // Ends an upload that can never complete (too large, not an accepted type).
  absl::Status Abandon(const UploadKey& key, absl::Time deadline);

  // How many attachments the signal has, with the uploads to it the
  // uploader of `key` has under way besides `key`'s own.
  absl::StatusOr<int> CountFor(const UploadKey& key, const std::string& signal_id, absl::Time deadline);

  // The attachment of the signal, and where its bytes are.
  absl::StatusOr<std::optional<StoredAttachment>> Find(const std::string& tenant, const std::string& signal_id,
                                                       const std::string& attachment_id, absl::Time deadline);

  // Removes uploads started before `started_before` and never completed.
  absl::StatusOr<int> RemoveStaleUploads(absl::Time started_before, absl::Time deadline);

 private:
  db::Pool* pool_;
};

// The attachments of a signal as listed with it (the JSON the signal query
// aggregates).
std::vector<v1::Attachment> AttachmentsFromJson(absl::string_view json);

}  // namespace hartslag::intake

#endif  // HARTSLAG_SERVICES_INTAKE_ATTACHMENT_STORE_H_
