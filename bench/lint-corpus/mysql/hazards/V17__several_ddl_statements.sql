-- One DDL statement per migration: MySQL commits each DDL, so a failure half-applies the file and needs a repair.
ALTER TABLE accounts ADD COLUMN phone VARCHAR(40);
ALTER TABLE orders ADD COLUMN paid_at DATETIME;
