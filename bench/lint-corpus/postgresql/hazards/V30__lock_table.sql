-- pg docs explicit locking: blocks every reader and writer of the table until the migration ends.
LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;
ALTER TABLE accounts ADD COLUMN note text;
