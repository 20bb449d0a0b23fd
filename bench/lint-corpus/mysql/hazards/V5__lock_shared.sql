-- MySQL online DDL: LOCK=SHARED blocks every write until the ALTER ends.
ALTER TABLE orders ADD INDEX orders_total_idx (total), LOCK=SHARED;
