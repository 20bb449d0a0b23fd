-- step 2: VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE, reads and writes go on.
ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;
