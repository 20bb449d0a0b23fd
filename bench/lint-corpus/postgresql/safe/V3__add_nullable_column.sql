-- Adding a nullable column without a default changes the catalog only.
ALTER TABLE accounts ADD COLUMN nickname text;
