-- MySQL 8.0 adds a NOT NULL column with a default INSTANT.
ALTER TABLE orders ADD COLUMN currency CHAR(3) NOT NULL DEFAULT 'EUR';
