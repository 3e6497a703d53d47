-- When a signal shown in a triage queue was reported, so that the proposals
-- (other signals at the same address within the window) are chosen by the
-- window itself: fetched_at moves each time a queue shows the signal again.
-- Older rows take their fetch time until a queue shows them again.
ALTER TABLE cases.queue_signals ADD COLUMN reported_at timestamptz;
UPDATE cases.queue_signals SET reported_at = fetched_at;
ALTER TABLE cases.queue_signals ALTER COLUMN reported_at SET NOT NULL;
CREATE INDEX queue_signals_by_address ON cases.queue_signals (tenant_id, address_key, reported_at DESC);
