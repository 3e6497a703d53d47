-- Creates are exactly once per caller and request id
-- (services/common/exactly_once.h): the first answer is kept here for a
-- retry to get again, for a week.
CREATE TABLE audit.requests (
  tenant_id   text NOT NULL,
  caller      text NOT NULL,
  rpc         text NOT NULL,
  request_id  text NOT NULL,
  fingerprint text NOT NULL,
  response    bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, caller, rpc, request_id)
);
CREATE INDEX requests_by_age ON audit.requests (created_at);
