-- squawk require-concurrent-index-deletion's fix.
DROP INDEX CONCURRENTLY accounts_name_idx;
