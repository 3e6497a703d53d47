-- The privacy officer's completion of a break-the-glass review: the finding,
-- whether the access was justified, who completed it and when. NULL while
-- the review is open; a review is completed once.
ALTER TABLE cases.break_glass ADD COLUMN finding text;
ALTER TABLE cases.break_glass ADD COLUMN justified boolean;
ALTER TABLE cases.break_glass ADD COLUMN completed_by text;
ALTER TABLE cases.break_glass ADD COLUMN completed_at timestamptz;
CREATE INDEX break_glass_open_by_tenant ON cases.break_glass (tenant_id, at DESC)
  WHERE completed_at IS NULL;
