-- PostgreSQL 11 and later store a constant default in the catalog: no rewrite.
ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';
