-- MySQL online DDL, strong_migrations: CHANGE with a new type copies the table; a new name breaks running code.
ALTER TABLE accounts CHANGE COLUMN email email_address VARCHAR(400);
