-- Atlas destructive changes: deletes every row at once.
TRUNCATE TABLE orders;
