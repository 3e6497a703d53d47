-- Who is who: tenants, areas, organisations, users, integrated clients, and
-- the refresh tokens handed out. Every table carries tenant_id.

CREATE TABLE directory.tenants (
  tenant_id text PRIMARY KEY,
  name      text NOT NULL
);

CREATE TABLE directory.areas (
  tenant_id      text NOT NULL REFERENCES directory.tenants,
  area_id        text NOT NULL,
  parent_area_id text,
  name           text NOT NULL,
  PRIMARY KEY (tenant_id, area_id),
  FOREIGN KEY (tenant_id, parent_area_id) REFERENCES directory.areas (tenant_id, area_id)
);

CREATE TABLE directory.organisations (
  tenant_id       text NOT NULL REFERENCES directory.tenants,
  organisation_id text NOT NULL,
  name            text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('MUNICIPALITY', 'ENFORCEMENT', 'POLICE', 'CARE', 'HOUSING', 'OTHER')),
  PRIMARY KEY (tenant_id, organisation_id)
);

CREATE TABLE directory.users (
  tenant_id       text NOT NULL REFERENCES directory.tenants,
  user_id         text NOT NULL,
  organisation_id text NOT NULL,
  display_name    text NOT NULL,
  roles           text[] NOT NULL,
  areas           text[] NOT NULL DEFAULT '{}',
  active          boolean NOT NULL DEFAULT true,
  password_hash   text NOT NULL,
  -- Lock-out: consecutive failed logins and until when the account is locked.
  failed_logins   integer NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  PRIMARY KEY (tenant_id, user_id),
  FOREIGN KEY (tenant_id, organisation_id) REFERENCES directory.organisations
);

CREATE TABLE directory.integrated_clients (
  tenant_id       text NOT NULL REFERENCES directory.tenants,
  client_id       text NOT NULL,
  organisation_id text NOT NULL,
  certificate_uri text NOT NULL UNIQUE,
  active          boolean NOT NULL DEFAULT true,
  PRIMARY KEY (tenant_id, client_id),
  FOREIGN KEY (tenant_id, organisation_id) REFERENCES directory.organisations
);

-- Only a hash of each refresh token is kept; a token is used once.
CREATE TABLE directory.refresh_tokens (
  token_hash text PRIMARY KEY,
  tenant_id  text NOT NULL,
  user_id    text NOT NULL,
  expires_at timestamptz NOT NULL,
  used       boolean NOT NULL DEFAULT false,
  FOREIGN KEY (tenant_id, user_id) REFERENCES directory.users
);
