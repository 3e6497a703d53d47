-- What the privacy officer searches by, next to each entry: copied from the
-- entry when it is appended, append-only like the entry itself. The entry
-- bytes stay the record; these columns only find it.
ALTER TABLE audit.entries
  ADD COLUMN occurred_at     timestamptz,
  ADD COLUMN actor_user_id   text,
  ADD COLUMN organisation_id text,
  ADD COLUMN object_type     text,
  ADD COLUMN object_id       text,
  ADD COLUMN action          text,
  ADD COLUMN outcome         text;

CREATE INDEX entries_by_actor ON audit.entries (log_id, actor_user_id, idx);
CREATE INDEX entries_by_organisation ON audit.entries (log_id, organisation_id, idx);
CREATE INDEX entries_by_object ON audit.entries (log_id, object_type, object_id, idx);
CREATE INDEX entries_by_time ON audit.entries (log_id, occurred_at);

-- The pseudonymised persons and addresses each entry is about.
CREATE TABLE audit.entry_subjects (
  log_id  text NOT NULL,
  idx     bigint NOT NULL,
  subject text NOT NULL,
  PRIMARY KEY (log_id, subject, idx),
  FOREIGN KEY (log_id, idx) REFERENCES audit.entries (log_id, idx)
);

-- Every signed tree head the service published.
CREATE TABLE audit.tree_heads (
  log_id    text NOT NULL,
  tree_size bigint NOT NULL,
  root_hash bytea NOT NULL,
  signed_at timestamptz NOT NULL,
  key_id    text NOT NULL,
  signature bytea NOT NULL,
  PRIMARY KEY (log_id, signed_at, tree_size)
);

CREATE TRIGGER entry_subjects_append_only BEFORE UPDATE OR DELETE ON audit.entry_subjects
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entry_subjects_no_truncate BEFORE TRUNCATE ON audit.entry_subjects
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER tree_heads_append_only BEFORE UPDATE OR DELETE ON audit.tree_heads
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER tree_heads_no_truncate BEFORE TRUNCATE ON audit.tree_heads
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit.entry_subjects, audit.tree_heads FROM PUBLIC;

-- Accesses kept out of a subject's access overview until lifted (for
-- example during a police investigation). Lifting sets lifted_at; a
-- restriction is never deleted.
CREATE TABLE audit.restrictions (
  restriction_id  uuid PRIMARY KEY,
  tenant_id       text NOT NULL,
  subject         text NOT NULL,
  organisation_id text,
  reason          text NOT NULL,
  review_date     date NOT NULL,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  lifted_at       timestamptz,
  lifted_by       text
);
CREATE INDEX restrictions_by_subject ON audit.restrictions (tenant_id, subject) WHERE lifted_at IS NULL;
