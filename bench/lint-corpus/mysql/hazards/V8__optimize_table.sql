-- MySQL: OPTIMIZE TABLE rebuilds the table (a copy under lock on some engines and versions).
OPTIMIZE TABLE orders;
