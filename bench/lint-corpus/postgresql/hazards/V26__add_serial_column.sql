-- strong_migrations add_column_auto_incrementing: fills every row, rewriting the table under ACCESS EXCLUSIVE.
ALTER TABLE accounts ADD COLUMN seq bigserial;
