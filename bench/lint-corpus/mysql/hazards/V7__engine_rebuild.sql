-- MySQL online DDL: ENGINE= rebuilds the whole table.
ALTER TABLE orders ENGINE=InnoDB;
