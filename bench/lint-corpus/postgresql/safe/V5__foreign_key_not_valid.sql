-- squawk adding-foreign-key-constraint's fix, step 1: NOT VALID checks only new rows.
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
