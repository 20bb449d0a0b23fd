-- The tables every hazard below changes: they exist (with rows) before the hazard's migration runs.
CREATE TABLE accounts (id bigint PRIMARY KEY, name text, email text, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX accounts_name_idx ON accounts (name);
CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint, total numeric NOT NULL DEFAULT 0);
CREATE TABLE events (id bigint NOT NULL, payload jsonb);
CREATE TABLE measurements (taken_on date NOT NULL, value numeric) PARTITION BY RANGE (taken_on);
CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE DOMAIN positive_amount AS numeric;
