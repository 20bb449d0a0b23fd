-- strong_migrations add_column_auto_incrementing: an identity column rewrites the table under ACCESS EXCLUSIVE.
ALTER TABLE orders ADD COLUMN line_no bigint GENERATED ALWAYS AS IDENTITY;
