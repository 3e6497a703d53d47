-- Photos and documents of signals. intake.attachments holds what intake
-- knows of each; the bytes live in a content store behind a small interface
-- (attachment_store.h): in the embedded default, the table
-- intake.attachment_contents, which an S3-compatible store can replace.
CREATE TABLE intake.attachments (
  attachment_id uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  signal_id     uuid NOT NULL REFERENCES intake.signals,
  uploaded_by   text NOT NULL,
  upload_id     uuid NOT NULL,
  media_type    text NOT NULL,
  size_bytes    bigint NOT NULL,
  file_name     text NOT NULL,
  sha256        text NOT NULL,
  storage_key   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- Exactly once per upload.
  UNIQUE (tenant_id, uploaded_by, upload_id)
);
CREATE INDEX attachments_by_signal ON intake.attachments (tenant_id, signal_id, created_at);

-- Uploads under way, chunk by chunk in order; removed when completed, and
-- after a day when left unfinished.
CREATE TABLE intake.attachment_uploads (
  tenant_id      text NOT NULL,
  uploaded_by    text NOT NULL,
  upload_id      uuid NOT NULL,
  signal_id      uuid NOT NULL,
  file_name      text NOT NULL,
  received_bytes bigint NOT NULL DEFAULT 0,
  started_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, uploaded_by, upload_id)
);
CREATE TABLE intake.attachment_upload_chunks (
  tenant_id   text NOT NULL,
  uploaded_by text NOT NULL,
  upload_id   uuid NOT NULL,
  "offset"    bigint NOT NULL,
  data        bytea NOT NULL,
  PRIMARY KEY (tenant_id, uploaded_by, upload_id, "offset"),
  FOREIGN KEY (tenant_id, uploaded_by, upload_id) REFERENCES intake.attachment_uploads ON DELETE CASCADE
);

-- The embedded content store. Photos and PDFs are compressed already:
-- stored out of line without compressing again, so that reading a part
-- (substring) fetches only that part.
CREATE TABLE intake.attachment_contents (
  storage_key text PRIMARY KEY,
  content     bytea NOT NULL,
  stored_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE intake.attachment_contents ALTER COLUMN content SET STORAGE EXTERNAL;
