-- Keys of the persons of a case (case_rules.h PersonKey: a hash of the
-- normalised name), so that triage finds the open cases about a signal's
-- persons by index instead of reading every open case of the areas. NULL
-- until computed: the service fills the rows of older cases when it starts.
-- Cleared with the rest of the personal data by retention.
ALTER TABLE cases.cases ADD COLUMN person_keys text[];
CREATE INDEX cases_by_person ON cases.cases USING gin (person_keys);
