-- Tenants, their areas and categories as intake needs them, and the signals.
-- Every table carries tenant_id; every query filters on it.

CREATE TABLE intake.tenants (
  tenant_id        text PRIMARY KEY,
  name             text NOT NULL,
  reference_prefix text NOT NULL DEFAULT 'SV',
  time_zone        text NOT NULL DEFAULT 'Europe/Amsterdam'
);

-- A focus area and its wijken, as a tree.
CREATE TABLE intake.areas (
  tenant_id      text NOT NULL REFERENCES intake.tenants,
  area_id        text NOT NULL,
  parent_area_id text,
  name           text NOT NULL,
  PRIMARY KEY (tenant_id, area_id),
  FOREIGN KEY (tenant_id, parent_area_id) REFERENCES intake.areas (tenant_id, area_id)
);

-- The starting set every new tenant's categories are copied from.
CREATE TABLE intake.default_categories (
  category_id            text PRIMARY KEY,
  label                  text NOT NULL,
  default_meeting        text NOT NULL CHECK (default_meeting IN ('LEEFBAARHEID', 'CASUISTIEK')),
  handling_deadline_days integer NOT NULL CHECK (handling_deadline_days > 0),
  meldcode               boolean NOT NULL DEFAULT false
);

CREATE TABLE intake.categories (
  tenant_id              text NOT NULL REFERENCES intake.tenants,
  category_id            text NOT NULL,
  label                  text NOT NULL,
  default_meeting        text NOT NULL CHECK (default_meeting IN ('LEEFBAARHEID', 'CASUISTIEK')),
  handling_deadline_days integer NOT NULL CHECK (handling_deadline_days > 0),
  meldcode               boolean NOT NULL DEFAULT false,
  active                 boolean NOT NULL DEFAULT true,
  PRIMARY KEY (tenant_id, category_id)
);

-- The last reference number handed out per tenant and year.
CREATE TABLE intake.reference_counters (
  tenant_id  text NOT NULL REFERENCES intake.tenants,
  year       integer NOT NULL,
  last_value bigint NOT NULL,
  PRIMARY KEY (tenant_id, year)
);

CREATE TABLE intake.signals (
  signal_id                  uuid PRIMARY KEY,
  tenant_id                  text NOT NULL REFERENCES intake.tenants,
  reference                  text NOT NULL,
  area_id                    text NOT NULL,
  street                     text NOT NULL,
  house_number               integer NOT NULL,
  house_number_addition      text NOT NULL DEFAULT '',
  postcode                   text NOT NULL,
  city                       text NOT NULL,
  bag_id                     text NOT NULL DEFAULT '',
  latitude                   double precision,
  longitude                  double precision,
  category_id                text NOT NULL,
  description                text NOT NULL,
  observed_at                timestamptz NOT NULL,
  reported_at                timestamptz NOT NULL,
  reporter_user_id           text NOT NULL,
  reporter_organisation_id   text NOT NULL,
  reporter_organisation_kind text NOT NULL,
  source                     text NOT NULL,
  urgency                    text NOT NULL,
  persons                    jsonb NOT NULL DEFAULT '[]',
  status                     text NOT NULL DEFAULT 'NEW',
  feedback                   text NOT NULL DEFAULT '',
  request_id                 uuid NOT NULL,
  request_fingerprint        text NOT NULL,
  UNIQUE (tenant_id, reference),
  -- Exactly-once submission: one signal per reporter and request id.
  UNIQUE (tenant_id, reporter_user_id, request_id),
  FOREIGN KEY (tenant_id, area_id) REFERENCES intake.areas (tenant_id, area_id),
  FOREIGN KEY (tenant_id, category_id) REFERENCES intake.categories (tenant_id, category_id)
);

-- Newest-first listing, for coordinators (by area) and reporters (by organisation).
CREATE INDEX signals_by_area ON intake.signals (tenant_id, area_id, reported_at DESC, signal_id DESC);
CREATE INDEX signals_by_organisation
  ON intake.signals (tenant_id, reporter_organisation_id, reported_at DESC, signal_id DESC);
CREATE INDEX signals_by_time ON intake.signals (tenant_id, reported_at DESC, signal_id DESC);
