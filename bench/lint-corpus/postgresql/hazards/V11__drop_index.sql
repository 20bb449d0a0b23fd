-- squawk require-concurrent-index-deletion: takes ACCESS EXCLUSIVE on the table.
DROP INDEX accounts_name_idx;
