-- Categories a municipality manages itself: main categories with
-- subcategories in an order of its choosing, questions for the reporter and
-- standard feedback per outcome. Every change is a new version, kept: a
-- signal records the version it was submitted under, whose questions it
-- answered and whose deadline rule it keeps.
ALTER TABLE intake.categories
  ADD COLUMN parent_category_id text,
  ADD COLUMN description text NOT NULL DEFAULT '',
  ADD COLUMN position integer NOT NULL DEFAULT 0,
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN questions jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN feedback_texts jsonb NOT NULL DEFAULT '[]',
  ADD FOREIGN KEY (tenant_id, parent_category_id) REFERENCES intake.categories (tenant_id, category_id);

-- The starting order: by meeting, then label.
UPDATE intake.categories c SET position = o.position
  FROM (SELECT tenant_id, category_id,
               row_number() OVER (PARTITION BY tenant_id ORDER BY default_meeting DESC, label) - 1 AS position
        FROM intake.categories) o
  WHERE o.tenant_id = c.tenant_id AND o.category_id = c.category_id;

CREATE TABLE intake.category_versions (
  tenant_id              text NOT NULL,
  category_id            text NOT NULL,
  version                integer NOT NULL,
  label                  text NOT NULL,
  handling_deadline_days integer NOT NULL,
  deadline_day_count     text NOT NULL,
  questions              jsonb NOT NULL,
  feedback_texts         jsonb NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, category_id, version),
  FOREIGN KEY (tenant_id, category_id) REFERENCES intake.categories (tenant_id, category_id)
);
INSERT INTO intake.category_versions
  (tenant_id, category_id, version, label, handling_deadline_days, deadline_day_count, questions, feedback_texts)
  SELECT tenant_id, category_id, version, label, handling_deadline_days, deadline_day_count, questions, feedback_texts
  FROM intake.categories;

ALTER TABLE intake.signals
  ADD COLUMN category_version integer NOT NULL DEFAULT 1,
  ADD COLUMN answers jsonb NOT NULL DEFAULT '[]';
ALTER TABLE intake.signals ALTER COLUMN category_version DROP DEFAULT;
ALTER TABLE intake.signals
  ADD FOREIGN KEY (tenant_id, category_id, category_version)
    REFERENCES intake.category_versions (tenant_id, category_id, version);
