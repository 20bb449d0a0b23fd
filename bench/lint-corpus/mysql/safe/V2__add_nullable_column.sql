-- MySQL 8.0 adds a nullable column INSTANT: no copy, no lock beyond a brief metadata lock.
ALTER TABLE accounts ADD COLUMN nickname VARCHAR(50);
