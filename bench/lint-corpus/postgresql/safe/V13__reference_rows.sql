-- A few reference rows into a new table: no backfill of existing rows.
CREATE TABLE currencies (code text PRIMARY KEY);
INSERT INTO currencies (code) VALUES ('EUR'), ('USD');
