-- The feed of action changes that WatchActions follows. Sequence numbers are
-- per tenant, gap-free and in commit order: a writer takes the next number
-- by updating its tenant's head row, whose lock it holds until it commits,
-- so a reader that sees number N has seen every number below it.
CREATE TABLE cases.action_feed_heads (
  tenant_id text PRIMARY KEY,
  last_seq  bigint NOT NULL
);

CREATE TABLE cases.action_changes (
  tenant_id     text NOT NULL,
  seq           bigint NOT NULL,
  action_id     uuid NOT NULL REFERENCES cases.actions,
  organisations text[] NOT NULL,
  change        text NOT NULL,
  -- The action as it stood after the change.
  content       bytea NOT NULL,
  changed_at    timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);

-- Actions given before the feed existed start it, oldest first.
INSERT INTO cases.action_changes (tenant_id, seq, action_id, organisations, change, content, changed_at)
SELECT tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY updated_at, action_id),
       action_id, organisations, 'CREATED', content, updated_at
FROM cases.actions;

INSERT INTO cases.action_feed_heads (tenant_id, last_seq)
SELECT tenant_id, max(seq) FROM cases.action_changes GROUP BY tenant_id;
