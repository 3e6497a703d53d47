-- The risk tier and next review of a case, kept by CaseStore beside its
-- content, so that ListCases filters on them ("herbeoordeling nodig") in the
-- query instead of reading every case. risk_tier is the tier's name without
-- its prefix, '' without a tier; NULL until computed: the service fills the
-- rows of older cases when it starts, as it does person_keys.
ALTER TABLE cases.cases ADD COLUMN risk_tier text;
ALTER TABLE cases.cases ADD COLUMN next_review_at timestamptz;
-- "Acties over tijd": the open actions of a case by due date.
CREATE INDEX actions_open_by_case ON cases.actions (case_id, due_date)
  WHERE status IN ('OPEN', 'IN_PROGRESS');
