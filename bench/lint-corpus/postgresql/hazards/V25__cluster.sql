-- squawk prefer-repack (newer releases), pg docs: rewrites the table under ACCESS EXCLUSIVE.
CLUSTER orders USING orders_pkey;
