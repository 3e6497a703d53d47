#include "services/intake/attachment_store.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace hartslag::intake {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kPutContent[] = R"sql(
  INSERT INTO intake.attachment_contents (storage_key, content) VALUES ($1, $2::bytea)
  ON CONFLICT (storage_key) DO NOTHING
)sql";

constexpr char kReadContent[] = R"sql(
  SELECT substring(content FROM $2::int + 1 FOR $3::int) AS part FROM intake.attachment_contents
  WHERE storage_key = $1
)sql";

constexpr char kDeleteContents[] = R"sql(
  DELETE FROM intake.attachment_contents WHERE storage_key = ANY($1::text[])
)sql";

constexpr char kSweepContents[] = R"sql(
  DELETE FROM intake.attachment_contents c
  WHERE c.stored_at < now() - $1::interval
    AND NOT EXISTS (SELECT 1 FROM intake.attachments a WHERE a.storage_key = c.storage_key)
)sql";

constexpr char kSelectAttachment[] = R"sql(
  SELECT attachment_id, signal_id, media_type, size_bytes, file_name, sha256, storage_key,
         (extract(epoch FROM created_at) * 1000000)::bigint AS created_us
  FROM intake.attachments
)sql";

constexpr char kStartUpload[] = R"sql(
  INSERT INTO intake.attachment_uploads (tenant_id, uploaded_by, upload_id, signal_id, file_name)
  VALUES ($1, $2, $3::uuid, $4::uuid, $5)
  ON CONFLICT DO NOTHING
)sql";

// The upload's row lock orders its chunks.
constexpr char kLockUpload[] = R"sql(
  SELECT signal_id, received_bytes FROM intake.attachment_uploads
  WHERE tenant_id = $1 AND uploaded_by = $2 AND upload_id = $3::uuid FOR UPDATE
)sql";

constexpr char kAddChunk[] = R"sql(
  INSERT INTO intake.attachment_upload_chunks (tenant_id, uploaded_by, upload_id, "offset", data)
  VALUES ($1, $2, $3::uuid, $4, $5::bytea)
)sql";

constexpr char kReceived[] = R"sql(
  UPDATE intake.attachment_uploads SET received_bytes = $4
  WHERE tenant_id = $1 AND uploaded_by = $2 AND upload_id = $3::uuid
)sql";

constexpr char kAssemble[] = R"sql(
  SELECT u.file_name, COALESCE(string_agg(c.data, ''::bytea ORDER BY c."offset"), ''::bytea) AS data
  FROM intake.attachment_uploads u
  LEFT JOIN intake.attachment_upload_chunks c
    ON c.tenant_id = u.tenant_id AND c.uploaded_by = u.uploaded_by AND c.upload_id = u.upload_id
  WHERE u.tenant_id = $1 AND u.uploaded_by = $2 AND u.upload_id = $3::uuid
  GROUP BY u.file_name
)sql";

constexpr char kEndUpload[] = R"sql(
  DELETE FROM intake.attachment_uploads WHERE tenant_id = $1 AND uploaded_by = $2 AND upload_id = $3::uuid
)sql";

constexpr char kCountForSignal[] = R"sql(
  SELECT count(*) AS n FROM intake.attachments WHERE tenant_id = $1 AND signal_id = $2::uuid
)sql";

// The signal's row lock serialises the count check of concurrent uploads,
// and retention with them.
constexpr char kLockSignal[] = R"sql(
  SELECT personal_data_removed_at IS NOT NULL AS removed FROM intake.signals
  WHERE tenant_id = $1 AND signal_id = $2::uuid FOR UPDATE
)sql";

constexpr char kUnfinishedUploads[] = R"sql(
  SELECT count(*) AS n FROM intake.attachment_uploads
  WHERE tenant_id = $1 AND uploaded_by = $2 AND signal_id = $3::uuid AND upload_id <> $4::uuid
)sql";

constexpr char kInsertAttachment[] = R"sql(
  INSERT INTO intake.attachments (attachment_id, tenant_id, signal_id, uploaded_by, upload_id, media_type,
                                  size_bytes, file_name, sha256, storage_key)
  VALUES ($1::uuid, $2, $3::uuid, $4, $5::uuid, $6, $7, $8, $9, $10)
  ON CONFLICT (tenant_id, uploaded_by, upload_id) DO NOTHING
  RETURNING attachment_id
)sql";

constexpr char kRemoveStaleUploads[] = R"sql(
  DELETE FROM intake.attachment_uploads WHERE started_at < $1
)sql";

db::TransactionOptions Bounded(absl::Time deadline) {
  db::TransactionOptions options;
  options.deadline = deadline;
  return options;
}

StoredAttachment FromRow(const db::Rows& rows, int i) {
  StoredAttachment stored;
  v1::Attachment& a = stored.attachment;
  a.set_attachment_id(rows.Text(i, "attachment_id"));
  a.set_signal_id(rows.Text(i, "signal_id"));
  a.set_media_type(rows.Text(i, "media_type"));
  a.set_size_bytes(rows.Int(i, "size_bytes"));
  a.set_file_name(rows.Text(i, "file_name"));
  a.set_sha256(rows.Text(i, "sha256"));
  *a.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(rows.Int(i, "created_us"));
  stored.storage_key = rows.Text(i, "storage_key");
  return stored;
}

db::Params KeyParams(const UploadKey& key) { return {key.tenant, key.user, key.upload_id}; }

}  // namespace

absl::Status PostgresAttachmentContents::Put(const std::string& key, absl::string_view bytes, absl::Time deadline) {
  return pool_->Query(kPutContent, {key, db::BytesParam(bytes)}, Bounded(deadline)).status();
}

absl::StatusOr<std::string> PostgresAttachmentContents::Read(const std::string& key, int64_t offset, int64_t length,
                                                             absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kReadContent, {key, absl::StrCat(offset), absl::StrCat(length)},
                                               Bounded(deadline)));
  if (rows.empty()) return absl::NotFoundError("attachment_id: its content is missing");
  return rows.Bytes(0, "part");
}

absl::Status PostgresAttachmentContents::Delete(const std::vector<std::string>& keys, absl::Time deadline) {
  if (keys.empty()) return absl::OkStatus();
  return pool_->Query(kDeleteContents, {db::TextArray(keys)}, Bounded(deadline)).status();
}

absl::StatusOr<int> PostgresAttachmentContents::SweepUnreferenced(absl::Duration grace, absl::Time deadline) {
  int removed = 0;
  RETURN_IF_ERROR(pool_->InTransaction(
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, tx.Query(absl::StrCat(kSweepContents, " RETURNING storage_key"),
                                                 {absl::StrCat(absl::ToInt64Seconds(grace), " seconds")}));
        removed = rows.size();
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return removed;
}

absl::StatusOr<std::optional<v1::Attachment>> AttachmentStore::Completed(const UploadKey& key, absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(absl::StrCat(kSelectAttachment,
                                             " WHERE tenant_id = $1 AND uploaded_by = $2 AND upload_id = $3::uuid"),
                                KeyParams(key), Bounded(deadline)));
  if (rows.empty()) return std::nullopt;
  return FromRow(rows, 0).attachment;
}

absl::StatusOr<int64_t> AttachmentStore::Append(const UploadKey& key, const std::string& signal_id,
                                                const std::string& file_name, int64_t offset, absl::string_view data,
                                                AuditRecord& audit, absl::Time deadline) {
  int64_t received = 0;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        if (offset == 0) {
          RETURN_IF_ERROR(tx.Exec(kStartUpload, {key.tenant, key.user, key.upload_id, signal_id, file_name}));
        }
        ASSIGN_OR_RETURN(db::Rows upload, tx.Query(kLockUpload, KeyParams(key)));
        if (upload.empty()) return Invalid("offset", "must be 0: the upload starts with its first chunk");
        if (upload.Text(0, "signal_id") != signal_id) {
          return Invalid("upload_id", "belongs to another signal's upload");
        }
        received = upload.Int(0, "received_bytes");
        if (offset + static_cast<int64_t>(data.size()) <= received && offset < received) {
          return absl::OkStatus();  // sent before: its answer was lost
        }
        if (offset != received) {
          return Invalid("offset", absl::StrCat("must be ", received, ": the bytes received so far"));
        }
        if (data.empty()) return absl::OkStatus();
        db::Params chunk = KeyParams(key);
        chunk.push_back(absl::StrCat(offset));
        chunk.push_back(db::BytesParam(data));
        RETURN_IF_ERROR(tx.Exec(kAddChunk, chunk));
        received += static_cast<int64_t>(data.size());
        db::Params update = KeyParams(key);
        update.push_back(absl::StrCat(received));
        return tx.Exec(kReceived, update);
      },
      Bounded(deadline)));
  return received;
}

absl::StatusOr<std::pair<std::string, std::string>> AttachmentStore::Assemble(const UploadKey& key,
                                                                              absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows, pool_->Query(kAssemble, KeyParams(key), Bounded(deadline)));
  if (rows.empty()) return Invalid("upload_id", "no upload under way with this id");
  return std::make_pair(rows.Bytes(0, "data"), rows.Text(0, "file_name"));
}

absl::StatusOr<v1::Attachment> AttachmentStore::Record(const UploadKey& key, const StoredAttachment& stored,
                                                       int max_per_signal, AuditRecord& audit, absl::Time deadline) {
  v1::Attachment result;
  const v1::Attachment& a = stored.attachment;
  RETURN_IF_ERROR(InAuditedTransaction(
      *pool_, audit,
      [&](db::Transaction& tx) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows signal, tx.Query(kLockSignal, {key.tenant, a.signal_id()}));
        if (signal.empty() || signal.Bool(0, "removed")) {
          return absl::FailedPreconditionError("signal_id: its retention period has passed; it takes no attachments");
        }
        ASSIGN_OR_RETURN(db::Rows earlier,
                         tx.Query(absl::StrCat(kSelectAttachment, " WHERE tenant_id = $1 AND uploaded_by = $2 AND "
                                                                  "upload_id = $3::uuid"),
                                  KeyParams(key)));
        if (!earlier.empty()) {
          result = FromRow(earlier, 0).attachment;
          return absl::OkStatus();
        }
        ASSIGN_OR_RETURN(db::Rows count, tx.Query(kCountForSignal, {key.tenant, a.signal_id()}));
        if (count.Int(0, "n") >= max_per_signal) {
          return absl::FailedPreconditionError(
              absl::StrCat("attachments: the signal has ", max_per_signal, " attachments, the most allowed"));
        }
        RETURN_IF_ERROR(tx.Exec(kInsertAttachment,
                                {a.attachment_id(), key.tenant, a.signal_id(), key.user, key.upload_id, a.media_type(),
                                 absl::StrCat(a.size_bytes()), a.file_name(), a.sha256(), stored.storage_key}));
        RETURN_IF_ERROR(tx.Exec(kEndUpload, KeyParams(key)));
        ASSIGN_OR_RETURN(db::Rows inserted,
                         tx.Query(absl::StrCat(kSelectAttachment, " WHERE attachment_id = $1::uuid"),
                                  {a.attachment_id()}));
        result = FromRow(inserted, 0).attachment;
        audit.SetObjectId(result.attachment_id());
        return absl::OkStatus();
      },
      Bounded(deadline)));
  return result;
}

absl::Status AttachmentStore::Abandon(const UploadKey& key, absl::Time deadline) {
  return pool_->Query(kEndUpload, KeyParams(key), Bounded(deadline)).status();
}

absl::StatusOr<int> AttachmentStore::CountFor(const UploadKey& key, const std::string& signal_id,
                                              absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows stored, pool_->Query(kCountForSignal, {key.tenant, signal_id}, Bounded(deadline)));
  ASSIGN_OR_RETURN(db::Rows unfinished, pool_->Query(kUnfinishedUploads, {key.tenant, key.user, signal_id, key.upload_id},
                                                     Bounded(deadline)));
  return static_cast<int>(stored.Int(0, "n") + unfinished.Int(0, "n"));
}

absl::StatusOr<std::optional<StoredAttachment>> AttachmentStore::Find(const std::string& tenant,
                                                                      const std::string& signal_id,
                                                                      const std::string& attachment_id,
                                                                      absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(absl::StrCat(kSelectAttachment, " WHERE tenant_id = $1 AND signal_id = $2::uuid AND "
                                                                "attachment_id = $3::uuid"),
                                {tenant, signal_id, attachment_id}, Bounded(deadline)));
  if (rows.empty()) return std::nullopt;
  return FromRow(rows, 0);
}

absl::StatusOr<int> AttachmentStore::RemoveStaleUploads(absl::Time started_before, absl::Time deadline) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   pool_->Query(absl::StrCat(kRemoveStaleUploads, " RETURNING upload_id"),
                                {db::TimestampParam(started_before)}, Bounded(deadline)));
  return rows.size();
}

std::vector<v1::Attachment> AttachmentsFromJson(absl::string_view json) {
  std::vector<v1::Attachment> attachments;
  auto parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return attachments;
  auto text = [](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto number = [](const nlohmann::json& o, const char* key) -> int64_t {
    auto it = o.find(key);
    return it != o.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  for (const auto& o : parsed) {
    if (!o.is_object()) continue;
    v1::Attachment& a = attachments.emplace_back();
    a.set_attachment_id(text(o, "attachment_id"));
    a.set_signal_id(text(o, "signal_id"));
    a.set_media_type(text(o, "media_type"));
    a.set_size_bytes(number(o, "size_bytes"));
    a.set_file_name(text(o, "file_name"));
    a.set_sha256(text(o, "sha256"));
    *a.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(number(o, "created_us"));
  }
  return attachments;
}

}  // namespace hartslag::intake
