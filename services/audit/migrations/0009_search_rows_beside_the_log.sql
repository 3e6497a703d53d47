-- Appends to a log are serialised by the log's advisory lock (the
-- sequencer), and what an append wrote under it bounded the log: the entry
-- row with its search columns and seven indexes, of which only the primary
-- key and the event id's serve the log itself. The search columns and the
-- five indexes that serve searches move to audit.entry_search, one row per
-- entry, written in the entry's transaction but before the lock is taken
-- when the append knows its first index (services/audit/append_order.h), so
-- that one append writes its search rows while another holds the lock.
-- Measured on 2 cores with pgbench (2 clients, batches of 1,000 rows of the
-- bench's shape): 23,600-32,300 rows/s into the one table, 41,800-49,500
-- into the two.
--
-- An append that guessed its index wrong rolls back, search rows and all,
-- so every committed search row has the entry of its (log_id, idx); the
-- entries' primary key makes those unique. The index on (log_id, idx) is
-- therefore not unique: a unique one would make an append wait, holding
-- the rows of its guess, for another's guess at the same indexes.
--
-- The columns leave audit.entries by DROP COLUMN, which rewrites nothing:
-- no role may update audit.entries, and old rows keep their bytes unread.
-- The log is locked against appends from the start: an entry appended by an
-- instance still running the old code between the copy and the DROP would
-- lose its search columns. Until that instance is replaced its appends and
-- searches fail (its rows' columns are gone), and the records wait in the
-- services' outboxes.

-- ACCESS EXCLUSIVE, which the DROP COLUMN takes anyway: a weaker lock first
-- would let an old append that read the log wait for this migration while
-- the DROP waits for it. LOCK TABLE needs UPDATE, DELETE or TRUNCATE, which
-- the owner gave up (0004, 0008): it takes TRUNCATE back for this
-- transaction (the trigger refuses a TRUNCATE all the same), and loses it
-- again below.
GRANT TRUNCATE ON audit.entries TO CURRENT_USER;
LOCK TABLE audit.entries IN ACCESS EXCLUSIVE MODE;

CREATE TABLE audit.entry_search (
  log_id          text COLLATE "C" NOT NULL,
  idx             bigint NOT NULL CHECK (idx >= 0),
  subjects        bytea[] NOT NULL,
  occurred_at     timestamptz,
  actor_user_id   text COLLATE "C",
  organisation_id text COLLATE "C",
  object_type     text COLLATE "C",
  object_id       text COLLATE "C",
  action          text,
  outcome         text
);

INSERT INTO audit.entry_search (log_id, idx, subjects, occurred_at, actor_user_id, organisation_id,
                                object_type, object_id, action, outcome)
SELECT log_id, idx, subjects, occurred_at, actor_user_id, organisation_id, object_type, object_id,
       action, outcome
FROM audit.entries ORDER BY log_id, idx;

ALTER TABLE audit.entries
  DROP COLUMN subjects, DROP COLUMN occurred_at, DROP COLUMN actor_user_id,
  DROP COLUMN organisation_id, DROP COLUMN object_type, DROP COLUMN object_id,
  DROP COLUMN action, DROP COLUMN outcome;

CREATE INDEX entry_search_by_index ON audit.entry_search (log_id, idx);
CREATE INDEX entry_search_by_actor ON audit.entry_search (log_id, actor_user_id, idx);
CREATE INDEX entry_search_by_organisation ON audit.entry_search (log_id, organisation_id, idx);
CREATE INDEX entry_search_by_object ON audit.entry_search (log_id, object_type, object_id, idx);
CREATE INDEX entry_search_by_time ON audit.entry_search USING brin (occurred_at) WITH (autosummarize = on);
-- As 0008 had it on audit.entries: a small pending list keeps a search's
-- read of it short.
CREATE INDEX entry_search_by_subject ON audit.entry_search USING gin (subjects)
  WITH (gin_pending_list_limit = 256);

CREATE TRIGGER entry_search_append_only BEFORE UPDATE OR DELETE ON audit.entry_search
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entry_search_no_truncate BEFORE TRUNCATE ON audit.entry_search
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
-- From every role that holds them, PUBLIC and the owner included: a
-- deployment's default privileges (deploy/kubernetes/base/postgres.yaml)
-- grant UPDATE and DELETE on new tables to the service's role, which 0004
-- took away from audit.entries and audit.nodes and 0008 gave back with the
-- rebuilt audit.entries.
DO $$
DECLARE
  holder record;
BEGIN
  FOR holder IN
    SELECT DISTINCT c.oid::regclass AS tbl, a.grantee
    FROM pg_class c, aclexplode(c.relacl) a
    WHERE c.oid IN ('audit.entries'::regclass, 'audit.entry_search'::regclass, 'audit.nodes'::regclass,
                    'audit.tree_heads'::regclass)
      AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
  LOOP
    -- regrole's text is quoted where the name needs it; CASCADE takes the
    -- privilege also from whom a holder passed it on to.
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM %s CASCADE', holder.tbl,
                   CASE WHEN holder.grantee = 0 THEN 'PUBLIC' ELSE holder.grantee::regrole::text END);
  END LOOP;
END
$$;
REVOKE UPDATE, DELETE, TRUNCATE ON audit.entry_search FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit.entry_search FROM CURRENT_USER;

-- Searches join the new table to the log: plan them on its statistics.
ANALYZE audit.entry_search;
