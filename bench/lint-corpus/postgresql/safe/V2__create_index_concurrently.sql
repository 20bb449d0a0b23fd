-- squawk require-concurrent-index-creation's fix: alone in its migration, outside a transaction.
CREATE INDEX CONCURRENTLY orders_account_idx ON orders (account_id);
