-- Flyway: a migration that mixes non-transactional and transactional statements is refused (or half-applied).
CREATE INDEX CONCURRENTLY orders_id_total_idx ON orders (id, total);
ALTER TABLE orders ADD COLUMN shipped boolean;
