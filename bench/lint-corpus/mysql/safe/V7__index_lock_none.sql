-- LOCK=NONE makes MySQL refuse rather than block writes.
ALTER TABLE accounts ADD INDEX accounts_email_idx (email), ALGORITHM=INPLACE, LOCK=NONE;
