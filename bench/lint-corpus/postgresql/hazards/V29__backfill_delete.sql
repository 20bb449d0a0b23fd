-- strong_migrations backfilling: one long transaction that locks every row it deletes.
DELETE FROM orders WHERE total = 0;
