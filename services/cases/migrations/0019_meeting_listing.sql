-- A meeting as ListMeetings gives it (MeetingListing): the stored meeting
-- without its agenda and the corrections on its items. A list shows none of
-- those, and they are most of a meeting's bytes once it has been decided.
--
-- A meeting stored before this has no listing until it is next saved, and
-- the list reads its content instead. So does one saved, while a release
-- rolls out, by a cases binary from before this: such a binary changes the
-- content alone, and the trigger below then drops the listing that no longer
-- matches it. Binaries from this one on count their listing writes
-- (listing_writes = listing_writes + 1), which tells their saves apart.
ALTER TABLE cases.meetings
  ADD COLUMN listing bytea,
  ADD COLUMN listing_writes bigint NOT NULL DEFAULT 0;

CREATE FUNCTION cases.meeting_listing_follows_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.listing_writes = OLD.listing_writes AND NEW.content IS DISTINCT FROM OLD.content THEN
    NEW.listing := NULL;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER meeting_listing_follows_content BEFORE UPDATE ON cases.meetings
  FOR EACH ROW EXECUTE FUNCTION cases.meeting_listing_follows_content();
