-- MySQL online DDL: changing a column's type copies the table and blocks writes (ALGORITHM=COPY).
ALTER TABLE accounts MODIFY COLUMN name VARCHAR(300);
