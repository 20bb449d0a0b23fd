-- A table created in the same migration is unknown to running code.
CREATE TABLE invoices (id BIGINT PRIMARY KEY, order_id BIGINT NOT NULL) ENGINE=InnoDB;
INSERT INTO invoices VALUES (1, 1);
