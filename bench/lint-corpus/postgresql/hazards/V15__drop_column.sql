-- squawk ban-drop-column, Atlas destructive changes: deletes data, breaks code that reads it.
ALTER TABLE accounts DROP COLUMN email;
