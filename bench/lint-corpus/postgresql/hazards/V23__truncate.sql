-- strong_migrations, Atlas: empties the table under ACCESS EXCLUSIVE.
TRUNCATE orders;
