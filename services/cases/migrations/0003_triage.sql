-- Triage: the signals a coordinator's queue showed (a snapshot from intake,
-- so a decision can be taken and recorded while intake is away), the
-- decisions, and the address key that proposes cases at the same address.

CREATE TABLE cases.queue_signals (
  tenant_id   text NOT NULL,
  signal_id   uuid NOT NULL,
  area_id     text NOT NULL,
  address_key text NOT NULL,
  content     bytea NOT NULL,
  fetched_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, signal_id)
);

CREATE TABLE cases.triage_decisions (
  decision_id uuid PRIMARY KEY,
  tenant_id   text NOT NULL,
  signal_id   uuid NOT NULL,
  content     bytea NOT NULL,
  UNIQUE (tenant_id, signal_id)
);

ALTER TABLE cases.cases ADD COLUMN address_key text NOT NULL DEFAULT '';
CREATE INDEX cases_by_address ON cases.cases (tenant_id, address_key) WHERE address_key <> '';
