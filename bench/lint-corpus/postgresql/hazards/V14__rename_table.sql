-- squawk renaming-table, strong_migrations: breaks the code that still uses the old name.
ALTER TABLE orders RENAME TO purchases;
