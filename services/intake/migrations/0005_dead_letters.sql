-- Outbox events the receiver can never accept (invalid, or too large), set
-- aside by the relay so that the events behind them still flow
-- (services/common/outbox.h). Kept for an operator to inspect
-- (hartslag admin dead-letters); never changed or deleted, and each one set
-- aside is itself recorded in the audit log.
CREATE TABLE intake.dead_letters (
  seq          bigint PRIMARY KEY,
  target       text NOT NULL,
  tenant_id    text NOT NULL,
  event_id     uuid NOT NULL,
  payload      bytea NOT NULL,
  created_at   timestamptz NOT NULL,
  set_aside_at timestamptz NOT NULL DEFAULT now(),
  reason       text NOT NULL
);
REVOKE UPDATE, DELETE, TRUNCATE ON intake.dead_letters FROM CURRENT_USER;
