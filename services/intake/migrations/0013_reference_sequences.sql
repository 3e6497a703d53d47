-- Reference numbers come from a sequence per municipality and year instead of
-- a counter row. The counter row's lock, held by a submission up to its
-- commit, made every submission of a municipality wait for the one before; so
-- a batch reserved its numbers in a short transaction of its own before it
-- wrote. That was one more round trip and commit per batch, most of the work
-- of a batch of one or two signals at a steady rate (BENCHMARKS.md). nextval
-- takes no lock that a transaction keeps, so the INSERT itself numbers its
-- rows, in the transaction that stores them.
--
-- A sequence hands out its numbers in the order they are asked for, across
-- every session and instance. A number taken by a transaction that rolls back
-- is not given back (the README says why gaps are acceptable). The default
-- CACHE 1 matters: a session that cached numbers would hand them out after
-- another session's later ones.

CREATE TABLE intake.reference_sequences (
  tenant_id     text NOT NULL REFERENCES intake.tenants,
  year          integer NOT NULL CHECK (year BETWEEN 0 AND 9999),
  sequence_name text NOT NULL UNIQUE,  -- schema-qualified
  PRIMARY KEY (tenant_id, year)
);

-- The sequence of a municipality's year, made the first time that year needs
-- one. SECURITY DEFINER: the service's runtime role may not create objects
-- (deploy/kubernetes/base/postgres.yaml); the owner's default privileges give
-- that role the use of every sequence the owner makes. Two transactions that
-- make the same year's sequence meet on the primary key: the second waits for
-- the first to end and then uses its sequence (or makes it, if the first
-- rolled back). So the first number of a year waits for the transaction that
-- made the sequence; a batch draws in the order of tenant and year
-- (signal_store.cc), so two batches never wait for each other both ways.
CREATE FUNCTION intake.reference_sequence(p_tenant text, p_year integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  -- md5 keeps the name within 63 bytes whatever the tenant id holds.
  made text := format('intake.%I', 'reference_' || md5(p_tenant) || '_' || p_year);
BEGIN
  INSERT INTO intake.reference_sequences (tenant_id, year, sequence_name) VALUES (p_tenant, p_year, made)
  ON CONFLICT (tenant_id, year) DO NOTHING;
  IF NOT FOUND THEN
    RETURN (SELECT sequence_name FROM intake.reference_sequences WHERE tenant_id = p_tenant AND year = p_year);
  END IF;
  EXECUTE format('CREATE SEQUENCE %s AS bigint MINVALUE 1 NO CYCLE', made);
  RETURN made;
END $$;

-- The next reference of a municipality's year: SV-2026-000123. The same text
-- as FormatReference (services/common/reference.cc), which the case
-- references still use; a test holds the two to the same answers.
CREATE FUNCTION intake.next_reference(p_tenant text, p_year integer, p_prefix text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  seq text;
  n bigint;
BEGIN
  SELECT s.sequence_name INTO seq FROM intake.reference_sequences s
   WHERE s.tenant_id = p_tenant AND s.year = p_year;
  IF NOT FOUND THEN
    seq := intake.reference_sequence(p_tenant, p_year);
  END IF;
  n := nextval(seq::regclass);
  RETURN p_prefix || '-' || lpad(p_year::text, 4, '0') || '-' ||
         CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END;
END $$;

-- Each counter becomes its year's sequence, which goes on after the counter's
-- last value. The lock first: a previous release's pod that adds to a counter
-- after the read below would use a number the sequence hands out again. It
-- waits for the pods' open transactions, and they wait for this one.
LOCK TABLE intake.reference_counters IN SHARE ROW EXCLUSIVE MODE;
SELECT setval(intake.reference_sequence(tenant_id, year)::regclass, last_value)
  FROM intake.reference_counters
 WHERE last_value > 0;

-- The previous release's pods run until the rollout replaces them, and the
-- schema must serve them meanwhile (README, "Every release, migrations
-- first"). They count on intake.reference_counters: one by one they add 1 to
-- a counter and use the value, and a batch adds its size to reserve as many
-- numbers. So the counter stays, and a trigger answers each of their steps
-- of 1 from the sequence, the numbers that this release's pods draw too.
-- A reservation of more than one number cannot be drawn as one block from a
-- sequence that others draw from meanwhile: it is refused, and the old pod's
-- batch goes one by one. The release after this one drops the table.
CREATE FUNCTION intake.counter_from_sequence() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  step bigint := NEW.last_value;
BEGIN
  -- Their INSERT ... ON CONFLICT DO UPDATE tries the INSERT first: where the
  -- counter exists it becomes the UPDATE, and only that one draws.
  IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM intake.reference_counters c
                                  WHERE c.tenant_id = NEW.tenant_id AND c.year = NEW.year) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    step := NEW.last_value - OLD.last_value;
  END IF;
  IF step <> 1 THEN
    RAISE EXCEPTION 'reference numbers come from intake.next_reference since migration 0013'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  NEW.last_value := nextval(intake.reference_sequence(NEW.tenant_id, NEW.year)::regclass);
  RETURN NEW;
END $$;
CREATE TRIGGER counter_from_sequence BEFORE INSERT OR UPDATE ON intake.reference_counters
  FOR EACH ROW EXECUTE FUNCTION intake.counter_from_sequence();
