-- Which case a signal went to at triage, and whether that case is open, as
-- the cases service tells: retention at intake keeps a signal on an open
-- case whole, and counts its period from the moment that case closed.
ALTER TABLE intake.signals ADD COLUMN case_id uuid;

CREATE TABLE intake.case_states (
  tenant_id  text NOT NULL,
  case_id    uuid NOT NULL,
  open       boolean NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, case_id)
);
CREATE INDEX signals_by_case ON intake.signals (tenant_id, case_id) WHERE case_id IS NOT NULL;
