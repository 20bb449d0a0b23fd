-- ALGORITHM=INSTANT makes MySQL refuse rather than copy.
ALTER TABLE orders ADD COLUMN channel VARCHAR(20), ALGORITHM=INSTANT;
