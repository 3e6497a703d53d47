-- Handling deadlines: a category counts its days as calendar or working days
-- (Monday to Friday without the Dutch public holidays); every signal gets the
-- moment it is due and the moment it is late (three times the deadline),
-- fixed at submission under the rule of that moment, and the moment it was
-- handled (its triage outcome arrived), which stops its clock.
ALTER TABLE intake.default_categories
  ADD COLUMN deadline_day_count text NOT NULL DEFAULT 'CALENDAR'
    CHECK (deadline_day_count IN ('CALENDAR', 'WORKING'));
ALTER TABLE intake.categories
  ADD COLUMN deadline_day_count text NOT NULL DEFAULT 'CALENDAR'
    CHECK (deadline_day_count IN ('CALENDAR', 'WORKING'));
-- The short deadlines are kept by the office's days.
UPDATE intake.default_categories SET deadline_day_count = 'WORKING'
  WHERE category_id IN ('verward-gedrag', 'vermoeden-huiselijk-geweld', 'zorgsignaal', 'drugsoverlast');
UPDATE intake.categories SET deadline_day_count = 'WORKING'
  WHERE category_id IN ('verward-gedrag', 'vermoeden-huiselijk-geweld', 'zorgsignaal', 'drugsoverlast');

ALTER TABLE intake.signals
  ADD COLUMN due_at timestamptz,
  ADD COLUMN late_at timestamptz,
  ADD COLUMN handled_at timestamptz;
-- Signals from before: their category's days as calendar days.
UPDATE intake.signals s
  SET due_at = s.reported_at + make_interval(days => c.handling_deadline_days),
      late_at = s.reported_at + make_interval(days => 3 * c.handling_deadline_days)
  FROM intake.categories c
  WHERE c.tenant_id = s.tenant_id AND c.category_id = s.category_id;
ALTER TABLE intake.signals ALTER COLUMN due_at SET NOT NULL, ALTER COLUMN late_at SET NOT NULL;
CREATE INDEX signals_waiting_due ON intake.signals (tenant_id, due_at) WHERE status = 'NEW';
