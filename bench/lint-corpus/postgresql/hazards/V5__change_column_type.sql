-- squawk changing-column-type: rewrites the table and its indexes under ACCESS EXCLUSIVE.
ALTER TABLE accounts ALTER COLUMN name TYPE varchar(200);
