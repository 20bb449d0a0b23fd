-- squawk adding-foreign-key-constraint: validates every row while both tables are locked against writes.
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
