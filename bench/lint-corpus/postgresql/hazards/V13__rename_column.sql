-- squawk renaming-column, strong_migrations: breaks the code that still uses the old name.
ALTER TABLE accounts RENAME COLUMN name TO full_name;
