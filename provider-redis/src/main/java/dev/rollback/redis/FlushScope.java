package dev.rollback.redis;

/** What {@link CacheFlushStep} empties. */
public enum FlushScope {
    /** Every database of the server: {@code FLUSHALL ASYNC}. */
    ALL_DATABASES,
    /** Only the endpoint's database: {@code FLUSHDB ASYNC}. */
    DATABASE
}
