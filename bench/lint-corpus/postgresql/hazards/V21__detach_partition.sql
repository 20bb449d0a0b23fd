-- squawk require-concurrent-partition-detach: takes ACCESS EXCLUSIVE on the parent.
ALTER TABLE measurements DETACH PARTITION measurements_2026;
