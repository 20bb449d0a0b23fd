-- strong_migrations backfilling: one long transaction that locks every row it touches.
UPDATE accounts SET name = TRIM(name);
