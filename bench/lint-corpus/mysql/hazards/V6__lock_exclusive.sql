-- MySQL online DDL: LOCK=EXCLUSIVE blocks reads and writes until the ALTER ends.
ALTER TABLE orders ADD COLUMN shipped TINYINT(1), LOCK=EXCLUSIVE;
