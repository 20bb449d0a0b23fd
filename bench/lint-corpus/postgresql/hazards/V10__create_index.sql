-- squawk require-concurrent-index-creation, strong_migrations: blocks writes while the index builds.
CREATE INDEX orders_account_idx ON orders (account_id);
