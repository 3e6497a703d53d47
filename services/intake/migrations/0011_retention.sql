-- Retention at intake: a signal not on an open case loses its personal data
-- (persons, address, description, answers, attachments) after the tenant's
-- period; category, area, dates and outcome stay for the figures.
ALTER TABLE intake.signals ADD COLUMN personal_data_removed_at timestamptz;
-- Whether intake knows which case a signal went to. Signals taken up before
-- triage outcomes named their case may sit on an open case: they are kept
-- until an outcome or the case's state says otherwise.
ALTER TABLE intake.signals ADD COLUMN case_link_known boolean NOT NULL DEFAULT true;
UPDATE intake.signals SET case_link_known = false WHERE status = 'ACCEPTED';
CREATE INDEX signals_for_retention ON intake.signals (tenant_id, reported_at) WHERE personal_data_removed_at IS NULL;
