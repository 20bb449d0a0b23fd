-- Views and comments change the catalog only.
CREATE OR REPLACE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 1000;
COMMENT ON COLUMN orders.total IS 'gross amount';
