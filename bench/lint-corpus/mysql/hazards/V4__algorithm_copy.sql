-- MySQL online DDL: ALGORITHM=COPY rebuilds the table and blocks writes for the whole copy.
ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=COPY;
