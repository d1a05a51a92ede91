package dev.rollback.api.spi;

/**
 * A held {@link RunLock}: the key, and a fencing token that only grows between holders.
 * Closing it releases the lock; closing twice is harmless. Thread-safe.
 */
public interface RunLease extends AutoCloseable {

    /** The key held. */
    String key();

    /** The fencing token; strictly greater than every token handed out before for this key. */
    long fencingToken();

    /** Whether the lease is still held (a lost database session or an expired lease says false). */
    boolean isHeld();

    /** Releases the lock. */
    @Override
    void close();
}
