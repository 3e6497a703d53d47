-- The audit log: entries with consecutive indexes per log (one log per
-- tenant), and the hash of every complete Merkle subtree, recorded when the
-- entry was appended. Both tables are append-only for every role: the
-- trigger refuses UPDATE, DELETE and TRUNCATE, and no role is granted them.

CREATE TABLE audit.entries (
  log_id      text NOT NULL,
  idx         bigint NOT NULL CHECK (idx >= 0),
  event_id    uuid NOT NULL,
  entry       bytea NOT NULL,
  appended_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (log_id, idx),
  UNIQUE (log_id, event_id)
);

-- nodes(level, idx): the hash of the 2^level leaves from idx * 2^level on;
-- level 0 holds the leaf hashes.
CREATE TABLE audit.nodes (
  log_id text NOT NULL,
  level  integer NOT NULL CHECK (level >= 0),
  idx    bigint NOT NULL CHECK (idx >= 0),
  hash   bytea NOT NULL,
  PRIMARY KEY (log_id, level, idx)
);

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON audit.entries
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER nodes_append_only BEFORE UPDATE OR DELETE ON audit.nodes
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER nodes_no_truncate BEFORE TRUNCATE ON audit.nodes
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON audit.entries, audit.nodes FROM PUBLIC;
