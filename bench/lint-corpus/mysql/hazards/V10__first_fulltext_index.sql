-- MySQL online DDL: the first FULLTEXT index of a table rebuilds it and blocks writes (LOCK=SHARED at best).
ALTER TABLE articles ADD FULLTEXT INDEX articles_body_ft (body);
