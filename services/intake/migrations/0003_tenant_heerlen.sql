-- The first tenant: Heerlen, with the focus area Heerlen-Noord and its wijken.
-- Until the directory service owns tenants and areas, intake keeps them here.
INSERT INTO intake.tenants (tenant_id, name) VALUES ('heerlen', 'Gemeente Heerlen');
INSERT INTO intake.areas (tenant_id, area_id, parent_area_id, name) VALUES
  ('heerlen', 'heerlen-noord',    NULL,            'Heerlen-Noord'),
  ('heerlen', 'vrieheide',        'heerlen-noord', 'Vrieheide'),
  ('heerlen', 'kasteelbuurt',     'heerlen-noord', 'Kasteelbuurt'),
  ('heerlen', 'hoofdstraat-west', 'heerlen-noord', 'Hoofdstraat-West (Hoensbroek)'),
  ('heerlen', 'gms',              'heerlen-noord', 'GMS');
INSERT INTO intake.categories
  (tenant_id, category_id, label, default_meeting, handling_deadline_days, meldcode)
  SELECT 'heerlen', category_id, label, default_meeting, handling_deadline_days, meldcode
  FROM intake.default_categories;
