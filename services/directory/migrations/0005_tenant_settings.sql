-- A municipality's settings (directory.v1.TenantSettings in proto3 JSON);
-- what it left unset takes the defaults in services/common/tenant_settings.
ALTER TABLE directory.tenants ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';
