-- squawk constraint-missing-not-valid: validates every row under ACCESS EXCLUSIVE.
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);
