-- strong_migrations, Atlas data-dependent changes: old code's inserts fail; strict mode may refuse existing rows.
ALTER TABLE accounts ADD COLUMN region VARCHAR(20) NOT NULL;
