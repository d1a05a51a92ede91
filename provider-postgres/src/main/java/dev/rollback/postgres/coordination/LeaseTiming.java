package dev.rollback.postgres.coordination;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clock rules of a {@link PostgresRunLock}'s leases, from its lease timeout {@code T}: a held key
 * is renewed (lease mode) or its session pinged (session mode) every {@code T/5}; the store frees a
 * key {@code T} after its holder's last renewal or statement (the row's expiry on the database's
 * clock; the server's {@code idle_session_timeout}); the holder itself stops believing it holds the
 * key {@code T/5} before that ({@link #validity()} after the renewal was sent), so it has stopped
 * before anyone can take over; one reply from the store may take at most {@link #replyTimeout()}.
 * The JVM-wide {@link #every heartbeat} scheduler hands each beat to a pool thread, so one store
 * that stops answering delays no other lease's renewal.
 */
record LeaseTiming(Duration leaseTimeout) {
    private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rollback-run-lock-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicInteger BEATERS = new AtomicInteger();
    private static final ThreadPoolExecutor BEATS =
            new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "rollback-run-lock-renewal-" + BEATERS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    /** How often a held key is renewed (or its session pinged): a fifth of the lease timeout. */
    Duration renewEvery() {
        return leaseTimeout.dividedBy(5);
    }

    /** How long after a renewal was sent the holder still counts the key as its own. */
    Duration validity() {
        return leaseTimeout.minus(renewEvery());
    }

    /** How long one statement of the lock may wait for the store's reply: the renewal interval, at least 500 ms. */
    Duration replyTimeout() {
        Duration every = renewEvery();
        return every.compareTo(Duration.ofMillis(500)) < 0 ? Duration.ofMillis(500) : every;
    }

    /** Runs {@code beat} every {@link #renewEvery()} on a pool thread until the future is cancelled. */
    ScheduledFuture<?> every(Runnable beat) {
        long nanos = renewEvery().toNanos();
        return TICKER.scheduleWithFixedDelay(() -> BEATS.execute(beat), nanos, nanos, TimeUnit.NANOSECONDS);
    }
}
