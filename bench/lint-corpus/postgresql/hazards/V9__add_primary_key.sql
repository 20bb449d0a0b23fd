-- squawk adding-serial-primary-key-field: builds the index under ACCESS EXCLUSIVE.
ALTER TABLE events ADD PRIMARY KEY (id);
