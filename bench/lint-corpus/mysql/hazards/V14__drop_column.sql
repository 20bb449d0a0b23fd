-- Atlas destructive changes: deletes data and breaks code that reads it (and rebuilds the table).
ALTER TABLE accounts DROP COLUMN email;
