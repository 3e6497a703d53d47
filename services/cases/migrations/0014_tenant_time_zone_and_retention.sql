-- A municipality's time and retention come from the directory only
-- (TenantSettings, handed over with the area sync): its time zone schedules
-- meetings and dates actions and reviews, and each kind of closed case keeps
-- its personal data for the municipality's own period. Until the directory
-- handed these settings over they are NULL and the defaults of
-- TenantSettings (WithDefaults) apply: no zone or period is fixed here.
ALTER TABLE cases.tenants
  ALTER COLUMN time_zone DROP NOT NULL,
  ALTER COLUMN time_zone DROP DEFAULT,
  ALTER COLUMN cut_off_weekday DROP NOT NULL,
  ALTER COLUMN cut_off_weekday DROP DEFAULT,
  ALTER COLUMN cut_off_time DROP NOT NULL,
  ALTER COLUMN cut_off_time DROP DEFAULT,
  ADD COLUMN leefbaarheid_retention_days integer CHECK (leefbaarheid_retention_days > 0),
  ADD COLUMN casuistiek_retention_days integer CHECK (casuistiek_retention_days > 0);

-- Retention looks for each tenant's due cases with its own period.
DROP INDEX cases.cases_due_for_removal;
CREATE INDEX cases_due_for_removal ON cases.cases (tenant_id, kind, closed_at)
  WHERE status = 'CLOSED' AND personal_data_removed_at IS NULL;
