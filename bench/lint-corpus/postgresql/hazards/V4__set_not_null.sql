-- squawk adding-not-nullable-field: scans the whole table under ACCESS EXCLUSIVE.
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
