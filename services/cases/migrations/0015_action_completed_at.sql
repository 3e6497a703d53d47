-- When an action was completed (DONE), kept by ActionStore with the status,
-- so that the figures count the actions completed after their due date. DONE
-- is final; a result or finding recorded later does not move it. Actions
-- completed before this migration take the moment they last changed.
ALTER TABLE cases.actions ADD COLUMN completed_at timestamptz;
UPDATE cases.actions SET completed_at = updated_at WHERE status = 'DONE';
