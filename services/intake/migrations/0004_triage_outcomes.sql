-- Triage outcomes from the cases service are applied once each.
CREATE TABLE intake.applied_events (
  event_id   uuid PRIMARY KEY,
  tenant_id  text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- The triage queue: NEW signals of some areas, oldest first.
CREATE INDEX signals_untriaged ON intake.signals (tenant_id, reported_at, signal_id) WHERE status = 'NEW';
