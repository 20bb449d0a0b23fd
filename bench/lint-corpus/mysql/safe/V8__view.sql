-- A view changes the dictionary only.
CREATE OR REPLACE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 1000;
