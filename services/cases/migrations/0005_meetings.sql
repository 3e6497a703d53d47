-- Meetings (overleggen) with their agenda, decisions and minutes, kept as
-- the Meeting protobuf; the columns find them.
CREATE TABLE cases.meetings (
  meeting_id  uuid PRIMARY KEY,
  tenant_id   text NOT NULL,
  kind        text NOT NULL,
  area_id     text NOT NULL,
  starts_at   timestamptz NOT NULL,
  status      text NOT NULL,
  content     bytea NOT NULL,
  FOREIGN KEY (tenant_id, area_id) REFERENCES cases.areas
);
CREATE INDEX meetings_by_time ON cases.meetings (tenant_id, starts_at);
