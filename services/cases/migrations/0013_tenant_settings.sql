-- The weekly triage cut-off of each municipality, as the directory hands it
-- over with its time zone and case reference prefix (TenantSettings).
ALTER TABLE cases.tenants
  ADD COLUMN cut_off_weekday integer NOT NULL DEFAULT 1 CHECK (cut_off_weekday BETWEEN 1 AND 7),
  ADD COLUMN cut_off_time text NOT NULL DEFAULT '12:00';
