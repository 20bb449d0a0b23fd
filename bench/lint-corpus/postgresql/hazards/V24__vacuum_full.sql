-- squawk prefer-repack (newer releases), pg docs: rewrites the table under ACCESS EXCLUSIVE.
VACUUM FULL orders;
