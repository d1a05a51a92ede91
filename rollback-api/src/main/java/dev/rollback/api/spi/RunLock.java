package dev.rollback.api.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * At most one run per plan key at a time, across every holder that shares the lock's store: the
 * threads of one JVM, the processes of one host, the nodes that reach one database, depending on the
 * implementation, whose javadoc names its store. Acquiring hands out a fencing token that only
 * grows, so a journal or a provider can refuse a write from a stale holder.
 *
 * <p>This is the contract every implementation keeps. {@code RunLockContract} in
 * {@code rollback-testkit} checks each rule below against an implementation; a new lock is proven by
 * a test class that extends it.
 *
 * <p><b>Exclusive.</b> While a {@link RunLease} for a key is held, no other lease for that key is
 * handed out by any instance on the same store. A lock is not reentrant: a second
 * {@link #tryAcquire} for a held key returns empty even in the holder's own thread. Keys are
 * independent of each other.
 *
 * <p><b>Acquiring.</b> {@link #tryAcquire(String, Duration)} returns a lease at once if the key is
 * free. If it is held, it tries again until {@code wait} has passed ({@link Duration#ZERO}: one try)
 * and then returns empty; empty always means "another holder has it", never "the store failed".
 *
 * <p><b>Fencing tokens.</b> Every lease carries a token of at least 1, strictly greater than every
 * token handed out before for the same key by any instance on the same store: across releases, new
 * instances and takeovers after a lost lease. How long the store remembers (the life of an instance,
 * a directory, a database) is the implementation's to document.
 *
 * <p><b>Lost leases.</b> A lease can be lost without being closed: its database session died, its
 * lock file was replaced. From then on {@link RunLease#isHeld()} answers false, and the holder must
 * start no further effect (the executor asks before every attempt). See {@link RunLease}.
 *
 * <p><b>Fail closed.</b> When the store is unreachable or cannot keep a token, {@code tryAcquire}
 * throws {@link dev.rollback.api.RollbackException} with code {@code LOCK_UNAVAILABLE}, naming the
 * store (a directory, a host and database) and never a credential; it never hands out a lease it
 * could not fence.
 *
 * <p>Implementations are thread-safe.
 */
public interface RunLock {

    /**
     * Tries to take the lock for {@code key}, waiting at most {@code wait} while another holder has it.
     *
     * @param key the plan key
     * @param wait how long to keep trying; zero for one try
     * @return the lease, or empty if another holder still had the key when {@code wait} ran out
     * @throws InterruptedException if interrupted while waiting; no lease is held then
     * @throws IllegalArgumentException if {@code wait} is negative
     * @throws NullPointerException if an argument is null
     * @throws dev.rollback.api.RollbackException {@code LOCK_UNAVAILABLE} if the store is unreachable
     */
    Optional<RunLease> tryAcquire(String key, Duration wait) throws InterruptedException;
}
