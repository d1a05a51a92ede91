package dev.rollback.core.lock;

import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RunLock} for the threads of one JVM: at most one lease per key at a time. Each key has
 * a binary semaphore and a counter; every acquisition takes the next value of the counter as its
 * fencing token (1, 2, 3, ...), so tokens only grow for the life of this instance.
 *
 * <p>Use one instance per JVM (two instances do not exclude each other). It does not survive the
 * process and does not coordinate processes: use {@link FileRunLock} or a database lock for that.
 * A key's state is kept for the life of the instance (a few dozen bytes per plan key). Thread-safe;
 * a lease may be released from any thread. These are the rules of the {@link RunLock} contract; the
 * store is the instance, so a lease is never lost, only closed.
 */
public final class InProcessRunLock implements RunLock {
    private final ConcurrentHashMap<String, KeyState> keys = new ConcurrentHashMap<>();

    /** An empty lock table. */
    public InProcessRunLock() {}

    @Override
    public Optional<RunLease> tryAcquire(String key, Duration wait) throws InterruptedException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, but was " + wait);
        }
        KeyState state = keys.computeIfAbsent(key, k -> new KeyState());
        if (!state.semaphore.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        return Optional.of(new Lease(key, state.tokens.incrementAndGet(), state.semaphore));
    }

    @Override
    public String toString() {
        return "InProcessRunLock[" + keys.size() + " keys]";
    }

    private static final class KeyState {
        final Semaphore semaphore = new Semaphore(1);
        final AtomicLong tokens = new AtomicLong();
    }

    private static final class Lease implements RunLease {
        private final String key;
        private final long token;
        private final Semaphore semaphore;
        private final AtomicBoolean held = new AtomicBoolean(true);

        Lease(String key, long token, Semaphore semaphore) {
            this.key = key;
            this.token = token;
            this.semaphore = semaphore;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public long fencingToken() {
            return token;
        }

        @Override
        public boolean isHeld() {
            return held.get();
        }

        @Override
        public void close() {
            if (held.compareAndSet(true, false)) {
                semaphore.release();
            }
        }

        @Override
        public String toString() {
            return "RunLease[" + key + ", token " + token + (isHeld() ? ", held" : ", released") + "]";
        }
    }
}
