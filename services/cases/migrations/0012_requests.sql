-- Creates are exactly once per caller and request id
-- (services/common/exactly_once.h): the first answer is kept here for a
-- retry to get again, for a week.
CREATE TABLE cases.requests (
  tenant_id   text NOT NULL,
  caller      text NOT NULL,
  rpc         text NOT NULL,
  request_id  text NOT NULL,
  fingerprint text NOT NULL,
  response    bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, caller, rpc, request_id)
);
CREATE INDEX requests_by_age ON cases.requests (created_at);

-- OpenCase and CreateAction kept their request ids on the case and the
-- action; they are remembered here now, like every other create. The ids
-- of the last week come along, so that a retry across the upgrade still
-- finds its first answer.
INSERT INTO cases.requests (tenant_id, caller, rpc, request_id, fingerprint, response, created_at)
  SELECT tenant_id, opened_by, 'OpenCase', request_id, request_fingerprint, content, opened_at
  FROM (SELECT c.*, min(s.at) AS opened_at FROM cases.cases c
        JOIN cases.status_changes s ON s.tenant_id = c.tenant_id AND s.case_id = c.case_id
        GROUP BY c.case_id) opened
  WHERE opened_at > now() - interval '7 days'
ON CONFLICT DO NOTHING;
INSERT INTO cases.requests (tenant_id, caller, rpc, request_id, fingerprint, response, created_at)
  SELECT tenant_id, created_by, 'CreateAction', request_id, request_fingerprint, content, updated_at
  FROM cases.actions WHERE request_id IS NOT NULL AND updated_at > now() - interval '7 days'
ON CONFLICT DO NOTHING;
ALTER TABLE cases.cases ALTER COLUMN request_id DROP NOT NULL;
ALTER TABLE cases.cases ALTER COLUMN request_fingerprint DROP NOT NULL;
