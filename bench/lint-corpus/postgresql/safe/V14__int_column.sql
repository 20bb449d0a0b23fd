-- Style only (squawk prefer-bigint-over-int, off by default here): not a lock hazard.
ALTER TABLE orders ADD COLUMN quantity int;
