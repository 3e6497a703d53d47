-- A meeting as ListMeetings gives it: the stored meeting without its agenda.
-- The items, with their decisions and actions, are most of a meeting's bytes
-- (up to 512 KiB), and a list shows none of them; a page of 100 read whole
-- could be 50 MB. Meetings stored before this have no listing until they are
-- next saved, and the list reads their content instead.
ALTER TABLE cases.meetings ADD COLUMN listing bytea;
