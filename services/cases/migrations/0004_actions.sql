-- Actions on cases, for one or more partner organisations.
CREATE TABLE cases.actions (
  action_id     uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  case_id       uuid NOT NULL REFERENCES cases.cases,
  status        text NOT NULL,
  organisations text[] NOT NULL,
  due_date      date NOT NULL,
  content       bytea NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX actions_by_case ON cases.actions (case_id, due_date);
CREATE INDEX actions_by_organisation ON cases.actions USING gin (organisations);
