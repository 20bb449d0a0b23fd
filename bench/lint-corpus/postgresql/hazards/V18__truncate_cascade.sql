-- squawk ban-truncate-cascade: empties every table that references it too.
TRUNCATE accounts CASCADE;
