-- squawk adding-required-field: fails on a table with rows, and old code cannot insert.
ALTER TABLE accounts ADD COLUMN region text NOT NULL;
