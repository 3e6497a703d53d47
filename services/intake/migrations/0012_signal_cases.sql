-- A signal may sit on more than one case (linked at triage, or named when a
-- case was opened): every link is kept, and retention waits until intake
-- knows each of those cases closed.
CREATE TABLE intake.signal_cases (
  tenant_id text NOT NULL,
  signal_id uuid NOT NULL REFERENCES intake.signals,
  case_id   uuid NOT NULL,
  PRIMARY KEY (tenant_id, signal_id, case_id)
);
INSERT INTO intake.signal_cases (tenant_id, signal_id, case_id)
  SELECT tenant_id, signal_id, case_id FROM intake.signals WHERE case_id IS NOT NULL;
DROP INDEX intake.signals_by_case;
ALTER TABLE intake.signals DROP COLUMN case_id;
