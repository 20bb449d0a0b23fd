-- MySQL online DDL: CONVERT TO CHARACTER SET copies the table and blocks writes.
ALTER TABLE accounts CONVERT TO CHARACTER SET utf8mb4;
