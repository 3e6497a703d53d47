-- The tenant's settings as the directory hands them over (TenantSettings in
-- proto3 JSON); time_zone and reference_prefix are kept in their own
-- columns as well, where the SQL uses them.
ALTER TABLE intake.tenants ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';
