-- squawk disallowed-unique-constraint's fix, step 1.
CREATE UNIQUE INDEX CONCURRENTLY accounts_email_uidx ON accounts (email);
