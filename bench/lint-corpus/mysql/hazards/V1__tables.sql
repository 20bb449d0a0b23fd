-- The tables every hazard below changes: they exist (with rows) before the hazard's migration runs.
CREATE TABLE accounts (id BIGINT PRIMARY KEY, name VARCHAR(100), email VARCHAR(200)) ENGINE=InnoDB;
CREATE TABLE orders (id BIGINT PRIMARY KEY, account_id BIGINT, total DECIMAL(12,2) NOT NULL DEFAULT 0) ENGINE=InnoDB;
CREATE TABLE events (id BIGINT NOT NULL, payload JSON) ENGINE=InnoDB;
CREATE TABLE articles (id BIGINT PRIMARY KEY, body TEXT) ENGINE=InnoDB;
