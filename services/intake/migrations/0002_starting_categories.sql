-- The starting category set of DOMAIN.md, with Dutch labels, the meeting each
-- goes to by default and a handling deadline in days.
INSERT INTO intake.default_categories
  (category_id, label, default_meeting, handling_deadline_days, meldcode) VALUES
  ('afval-dumping',              'Afval / dumping',             'LEEFBAARHEID', 14, false),
  ('verloedering',               'Verloedering',                'LEEFBAARHEID', 28, false),
  ('overlastpand',               'Overlastpand',                'LEEFBAARHEID', 14, false),
  ('kamerverhuur-misstand',      'Misstand kamerverhuur',       'LEEFBAARHEID', 28, false),
  ('drugsoverlast',              'Drugsoverlast',               'LEEFBAARHEID',  7, false),
  ('jongerenoverlast',           'Jongerenoverlast',            'LEEFBAARHEID', 14, false),
  ('burenoverlast',              'Burenoverlast',               'LEEFBAARHEID', 28, false),
  ('onveilige-plek',             'Onveilige plek',              'LEEFBAARHEID', 14, false),
  ('vandalisme',                 'Vandalisme',                  'LEEFBAARHEID', 14, false),
  ('zorgsignaal',                'Zorgsignaal',                 'CASUISTIEK',    7, false),
  ('verward-gedrag',             'Verward gedrag',              'CASUISTIEK',    3, false),
  ('vervuilde-woning',           'Vervuilde woning',            'CASUISTIEK',   14, false),
  ('schulden-armoede',           'Schulden / armoede',          'CASUISTIEK',   14, false),
  ('eenzaamheid',                'Eenzaamheid',                 'CASUISTIEK',   28, false),
  ('vermoeden-huiselijk-geweld', 'Vermoeden huiselijk geweld',  'CASUISTIEK',    1, true);
