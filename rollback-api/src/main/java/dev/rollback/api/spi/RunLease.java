package dev.rollback.api.spi;

/**
 * A held {@link RunLock}: the key, and a fencing token that only grows between holders.
 *
 * <p><b>Held or lost.</b> {@link #isHeld()} answers true until the lease is closed or lost (its
 * database session died, its lock file was replaced), and false from then on: it never turns true
 * again, never answers true while another holder may have the key, and answers false when it cannot
 * tell (the store does not answer). It may ask the store, within a bounded time. Whether another
 * holder can take the key before a lost lease is closed depends on the store; a lost lease is closed
 * like any other.
 *
 * <p><b>Release.</b> {@link #close()} releases the key, which any holder may then acquire, with a
 * higher token. Closing is idempotent, allowed from any thread, and never throws; closing a lost
 * lease never releases a lease another holder took since.
 *
 * <p>Thread-safe. {@code RunLockContract} in {@code rollback-testkit} checks these rules.
 */
public interface RunLease extends AutoCloseable {

    /** The key held. */
    String key();

    /** The fencing token; at least 1, strictly greater than every token handed out before for this key. */
    long fencingToken();

    /** Whether the lease is still held: false once closed or lost, or when the store cannot tell. */
    boolean isHeld();

    /** Releases the lock; idempotent, never throws. */
    @Override
    void close();
}
