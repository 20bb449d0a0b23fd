-- squawk disallowed-unique-constraint: builds the index under ACCESS EXCLUSIVE.
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
