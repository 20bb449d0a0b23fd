-- MySQL online DDL: adding a primary key rebuilds the table (clustered index) and copies every row.
ALTER TABLE events ADD PRIMARY KEY (id);
