ALTER TABLE products ADD COLUMN sku VARCHAR(64);

CREATE UNIQUE INDEX products_sku_idx ON products (sku);
