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
-- rolled back).
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
-- last value. The counter table is locked first and then dropped: an instance
-- still running the old code would otherwise hand out from the counter numbers
-- the sequence hands out again. Until it is replaced its submissions fail
-- (the table is gone), and nothing is numbered twice.
LOCK TABLE intake.reference_counters IN ACCESS EXCLUSIVE MODE;
SELECT setval(intake.reference_sequence(tenant_id, year)::regclass, last_value)
  FROM intake.reference_counters
 WHERE last_value > 0;
DROP TABLE intake.reference_counters;
