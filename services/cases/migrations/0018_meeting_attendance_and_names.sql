-- Meeting documents name people and organisations, and minutes are approved
-- (vastgesteld) in a later meeting.
--
-- The directory's organisations and users by name, copied with the area
-- sync (MeetingNames). Tables rather than a map in memory: every instance
-- has the names at start-up also while the directory is away, and
-- SetAttendance checks an organisation against the same copy the documents
-- name it from. Rows are updated, never removed: old minutes keep naming
-- deactivated users.
CREATE TABLE cases.organisations (
  tenant_id       text NOT NULL REFERENCES cases.tenants,
  organisation_id text NOT NULL,
  name            text NOT NULL,
  kind            text NOT NULL,
  PRIMARY KEY (tenant_id, organisation_id)
);

CREATE TABLE cases.user_names (
  tenant_id       text NOT NULL REFERENCES cases.tenants,
  user_id         text NOT NULL,
  display_name    text NOT NULL,
  organisation_id text NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);

-- Attendees live in the meeting's content like its agenda; the approval is
-- also a column, so that the database holds the approving meeting to an
-- existing one.
ALTER TABLE cases.meetings
  ADD COLUMN minutes_approved_in uuid REFERENCES cases.meetings (meeting_id),
  ADD COLUMN minutes_approved_at timestamptz,
  ADD CONSTRAINT meetings_approved_with_time
    CHECK ((minutes_approved_in IS NULL) = (minutes_approved_at IS NULL));
