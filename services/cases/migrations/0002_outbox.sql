-- Events this service must deliver to another service (its audit records,
-- and domain events): written in the same transaction as the work they
-- record, deleted only after the receiver acknowledged them
-- (services/common/outbox.h).
CREATE TABLE cases.outbox (
  seq        bigserial PRIMARY KEY,
  target     text NOT NULL,
  tenant_id  text NOT NULL,
  event_id   uuid NOT NULL UNIQUE,
  payload    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_by_target ON cases.outbox (target, seq);
