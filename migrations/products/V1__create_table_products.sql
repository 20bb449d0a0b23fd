-- Valid on PostgreSQL and MySQL/MariaDB.
CREATE TABLE products (
    id          INT           NOT NULL PRIMARY KEY,
    name        VARCHAR(255)  NOT NULL,
    price_cents INT           NOT NULL,
    created_at  TIMESTAMP     NOT NULL DEFAULT CURRENT_TIMESTAMP
);
