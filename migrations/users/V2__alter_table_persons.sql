ALTER TABLE persons ADD COLUMN email VARCHAR(320);

CREATE INDEX persons_last_name_idx ON persons (last_name);
