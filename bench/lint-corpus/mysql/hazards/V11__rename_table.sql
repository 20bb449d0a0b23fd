-- strong_migrations, Atlas: breaks the code that still uses the old name.
RENAME TABLE orders TO purchases;
