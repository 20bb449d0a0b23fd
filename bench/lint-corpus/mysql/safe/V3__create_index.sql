-- MySQL online DDL: a secondary index builds INPLACE with LOCK=NONE, reads and writes go on.
CREATE INDEX orders_account_idx ON orders (account_id);
