-- CreateAction is exactly-once by the caller's request id, as OpenCase is: a
-- retry after a lost answer returns the first action, the same id with other
-- content is refused. Older actions have none.
ALTER TABLE cases.actions ADD COLUMN created_by text;
ALTER TABLE cases.actions ADD COLUMN request_id text;
ALTER TABLE cases.actions ADD COLUMN request_fingerprint text;
CREATE UNIQUE INDEX actions_by_request ON cases.actions (tenant_id, created_by, request_id)
  WHERE request_id IS NOT NULL;
