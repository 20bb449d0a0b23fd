-- Valid on PostgreSQL and MySQL/MariaDB.
CREATE TABLE persons (
    id         INT          NOT NULL PRIMARY KEY,
    last_name  VARCHAR(255) NOT NULL,
    first_name VARCHAR(255),
    city       VARCHAR(255)
);
