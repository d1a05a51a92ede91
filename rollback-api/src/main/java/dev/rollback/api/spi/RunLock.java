package dev.rollback.api.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * At most one run per plan key at a time, across threads, processes or nodes, depending on the
 * implementation. Acquiring hands out a fencing token that only grows, so a provider can refuse a
 * write from a stale holder. When the coordination store is unreachable, implementations fail
 * closed: they throw, naming the store but never its credentials.
 *
 * <p>Implementations are thread-safe.
 */
public interface RunLock {

    /**
     * Tries to take the lock for {@code key}, waiting at most {@code wait}.
     *
     * @return the lease, or empty if another holder has it
     * @throws InterruptedException if interrupted while waiting
     */
    Optional<RunLease> tryAcquire(String key, Duration wait) throws InterruptedException;
}
