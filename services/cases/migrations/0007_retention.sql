-- Retention: a closed case's personal data is removed a configurable period
-- after it was closed. closed_at is kept by CaseStore with the status.
ALTER TABLE cases.cases ADD COLUMN closed_at timestamptz;
ALTER TABLE cases.cases ADD COLUMN personal_data_removed_at timestamptz;

UPDATE cases.cases c SET closed_at = (
  SELECT max(s.at) FROM cases.status_changes s WHERE s.case_id = c.case_id AND s.to_status = 'CLOSED')
WHERE c.status = 'CLOSED';

CREATE INDEX cases_due_for_removal ON cases.cases (kind, closed_at)
  WHERE status = 'CLOSED' AND personal_data_removed_at IS NULL;

-- Removal rewrites an action's copies on the action stream.
CREATE INDEX action_changes_by_action ON cases.action_changes (action_id);
