-- A user's sessions end at once with a password reset or a deactivation:
-- each raises the user's session_epoch, and a refresh token belongs to the
-- epoch its session began in (the login's, carried on by every refresh). A
-- token is stored, and refreshed, only while its epoch is still the user's,
-- so a login or refresh that checked its credential just before a reset
-- cannot leave a token behind that outlives it.
ALTER TABLE directory.users ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0;
ALTER TABLE directory.refresh_tokens ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0;
