-- squawk adding-field-with-default: a volatile default rewrites the table under ACCESS EXCLUSIVE.
ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();
