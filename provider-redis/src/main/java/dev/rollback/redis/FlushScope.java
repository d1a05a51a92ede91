package dev.rollback.redis;

/**
 * What {@link CacheFlushStep} empties. Immutable and thread-safe; it only names the scope and never
 * sends a command itself.
 */
public enum FlushScope {
    /** Every database of the server: {@code FLUSHALL ASYNC}. */
    ALL_DATABASES,
    /** Only the endpoint's database: {@code FLUSHDB ASYNC}. */
    DATABASE
}
