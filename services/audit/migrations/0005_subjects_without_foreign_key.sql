-- The foreign key from entry_subjects to entries is checked with a row lock
-- (FOR KEY SHARE) taken as the owner of entries, which needs the UPDATE
-- privilege the owner gave up in 0004: every append with a subject failed
-- for a service role that is not a superuser. Subjects are written with
-- their entry in the same transaction, and neither table can be updated or
-- deleted from, so the key guarded nothing an append does not already.
ALTER TABLE audit.entry_subjects DROP CONSTRAINT entry_subjects_log_id_idx_fkey;
