-- squawk adding-field-with-default (generated stored): rewrites the table under ACCESS EXCLUSIVE.
ALTER TABLE orders ADD COLUMN total_cents numeric GENERATED ALWAYS AS (total * 100) STORED;
