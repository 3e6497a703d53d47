-- Cases: what the two weekly meetings work on. The case itself is stored as
-- its protobuf (content); the columns beside it are what need-to-know,
-- lists and references are decided on, kept in step by CaseStore.

CREATE TABLE cases.tenants (
  tenant_id        text PRIMARY KEY,
  name             text NOT NULL,
  reference_prefix text NOT NULL DEFAULT 'CS',
  time_zone        text NOT NULL DEFAULT 'Europe/Amsterdam'
);

-- A copy of the directory's area trees (AreaSync), for coordinator scopes.
CREATE TABLE cases.areas (
  tenant_id      text NOT NULL REFERENCES cases.tenants,
  area_id        text NOT NULL,
  parent_area_id text,
  name           text NOT NULL,
  PRIMARY KEY (tenant_id, area_id)
);

CREATE TABLE cases.reference_counters (
  tenant_id  text NOT NULL REFERENCES cases.tenants,
  year       integer NOT NULL,
  last_value bigint NOT NULL,
  PRIMARY KEY (tenant_id, year)
);

CREATE TABLE cases.cases (
  case_id             uuid PRIMARY KEY,
  tenant_id           text NOT NULL REFERENCES cases.tenants,
  reference           text NOT NULL,
  kind                text NOT NULL,
  status              text NOT NULL,
  area_id             text NOT NULL,
  confidentiality     integer NOT NULL,
  process_coordinator text NOT NULL,
  case_manager        text NOT NULL DEFAULT '',
  members             text[] NOT NULL DEFAULT '{}',
  participating       text[] NOT NULL DEFAULT '{}',
  updated_at          timestamptz NOT NULL,
  opened_by           text NOT NULL,
  request_id          text NOT NULL,
  request_fingerprint text NOT NULL,
  content             bytea NOT NULL,
  UNIQUE (tenant_id, reference),
  UNIQUE (tenant_id, opened_by, request_id),
  FOREIGN KEY (tenant_id, area_id) REFERENCES cases.areas
);
CREATE INDEX cases_by_update ON cases.cases (tenant_id, updated_at DESC, case_id DESC);
CREATE INDEX cases_by_participant ON cases.cases USING gin (participating);

-- Every step of every case's lifecycle, with who, when and why.
CREATE TABLE cases.status_changes (
  seq         bigserial PRIMARY KEY,
  tenant_id   text NOT NULL,
  case_id     uuid NOT NULL REFERENCES cases.cases,
  from_status text NOT NULL,
  to_status   text NOT NULL,
  actor_user  text NOT NULL,
  actor_org   text NOT NULL,
  actor_kind  text NOT NULL,
  at          timestamptz NOT NULL,
  reason      text NOT NULL
);
CREATE INDEX status_changes_by_case ON cases.status_changes (case_id, seq);

CREATE TABLE cases.notes (
  note_id     uuid PRIMARY KEY,
  tenant_id   text NOT NULL,
  case_id     uuid NOT NULL REFERENCES cases.cases,
  visibility  text NOT NULL,
  text        text NOT NULL,
  author_user text NOT NULL,
  author_org  text NOT NULL,
  author_kind text NOT NULL,
  written_at  timestamptz NOT NULL
);
CREATE INDEX notes_by_case ON cases.notes (case_id, written_at DESC);

-- Break-the-glass accesses, for the privacy officer to review.
CREATE TABLE cases.break_glass (
  review_id  uuid PRIMARY KEY,
  tenant_id  text NOT NULL,
  case_id    uuid NOT NULL REFERENCES cases.cases,
  actor_user text NOT NULL,
  actor_org  text NOT NULL,
  actor_kind text NOT NULL,
  reason     text NOT NULL,
  at         timestamptz NOT NULL
);
CREATE INDEX break_glass_by_tenant ON cases.break_glass (tenant_id, at DESC);
