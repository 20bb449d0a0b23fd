-- A few rows into a table created earlier: no backfill of existing rows.
INSERT INTO articles (id, body) VALUES (1, 'welcome');
