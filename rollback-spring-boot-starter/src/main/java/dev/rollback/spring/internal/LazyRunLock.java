package dev.rollback.spring.internal;

import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link RunLock} opened on its first use, as {@link LazyJournal} is: the context starts without a
 * connection or a schema change. Opening that fails fails that acquisition (the executor refuses the
 * run, fail closed) and is tried again on the next one. Thread-safe: it opens the lock once.
 */
public final class LazyRunLock implements RunLock {
    private final String description;
    private final Supplier<? extends RunLock> opener;
    private volatile RunLock opened;

    /**
     * @param description what it opens, for {@link #toString()} (never a secret)
     * @param opener opens the lock
     */
    public LazyRunLock(String description, Supplier<? extends RunLock> opener) {
        this.description = Objects.requireNonNull(description, "description");
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /** Whether the lock was opened. */
    public boolean isOpen() {
        return opened != null;
    }

    @Override
    public Optional<RunLease> tryAcquire(String key, Duration wait) throws InterruptedException {
        RunLock l = opened;
        if (l == null) {
            synchronized (this) {
                l = opened;
                if (l == null) {
                    l = Objects.requireNonNull(opener.get(), "opened run lock");
                    opened = l;
                }
            }
        }
        return l.tryAcquire(key, wait);
    }

    @Override
    public String toString() {
        return "LazyRunLock[" + description + (isOpen() ? ", open" : ", not opened yet") + "]";
    }
}
