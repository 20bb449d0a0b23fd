-- squawk require-concurrent-reindex: REINDEX without CONCURRENTLY blocks writes (and reads of the index).
REINDEX TABLE orders;
