package dev.rollback.api;

import java.time.Instant;

/** {@link RollbackClock#system()}. */
enum SystemClock implements RollbackClock {
    INSTANCE;

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }
}
