-- Atlas destructive changes: deletes the table and its rows.
DROP TABLE events;
