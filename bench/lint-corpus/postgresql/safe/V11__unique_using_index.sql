-- step 2: the constraint takes over the index, a brief lock only.
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_uidx;
