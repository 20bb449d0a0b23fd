-- squawk ban-concurrent-index-creation-in-transaction: PostgreSQL refuses it inside a transaction block.
BEGIN;
CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);
COMMIT;
