package dev.rollback.postgres.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.RunLease;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.fault.FaultProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fault: the lock holder's connection goes silent (the testkit's fault proxy between it and PostgreSQL
 * drops every byte both ways, as a host that died without closing its sockets, or a proxy that stopped
 * forwarding). Invariants: another node takes the key within the lock's documented
 * {@link PostgresRunLock#takeoverBound() bound} (plus one acquisition round trip) after the silence
 * began; the old holder's lease says it is lost by then; a write with the old token after the
 * takeover is refused.
 */
class SilentLockHolderIT {
    private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(3);
    /** One acquisition round trip (a login and a few statements) on a busy two-core machine. */
    private static final Duration ROUND_TRIP = Duration.ofSeconds(2);

    @ParameterizedTest
    @EnumSource(LockMode.class)
    void aSilentHoldersKeyIsTakenOverWithinTheBoundAndItsOldTokenIsRefused(LockMode mode) throws Exception {
        PostgresEndpoint store = TestDatabases.create("silent_" + mode.name().toLowerCase(Locale.ROOT));
        String key = "plan-" + UUID.randomUUID();
        String runId = "run-" + UUID.randomUUID();
        PostgresJournal journal = PostgresJournal.open(store);
        try (FaultProxy proxy = FaultProxy.start(store.host(), store.port())) {
            PostgresEndpoint throughProxy =
                    store.toBuilder().host(proxy.host()).port(proxy.port()).build();
            RunLease old =
                    lock(throughProxy, mode).tryAcquire(key, Duration.ZERO).orElseThrow();
            journal.append(record(runId, 0, old.fencingToken()));
            AtomicLong lostAt = new AtomicLong();
            Thread watcher = new Thread(() -> {
                while (old.isHeld()) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                lostAt.set(System.nanoTime());
            });
            watcher.setDaemon(true);

            long silentSince = System.nanoTime();
            proxy.blackhole();
            watcher.start();
            PostgresRunLock taker = lock(store, mode);
            Optional<RunLease> next = taker.tryAcquire(key, Duration.ofSeconds(30));
            long takenAt = System.nanoTime();

            assertThat(next).as("taken over").isPresent();
            assertThat(old.isHeld())
                    .as("the old lease, once another holds the key")
                    .isFalse();
            Duration takeover = Duration.ofNanos(takenAt - silentSince);
            System.out.printf(
                    "SilentLockHolderIT %s: taken over %d ms after the holder went silent (bound %d ms)%n",
                    mode, takeover.toMillis(), taker.takeoverBound().toMillis());
            assertThat(takeover)
                    .as("takeover after the holder went silent, against the documented bound %s", taker.takeoverBound())
                    .isLessThanOrEqualTo(taker.takeoverBound().plus(ROUND_TRIP));
            watcher.join(10_000);
            assertThat(lostAt.get()).as("the old lease noticed its loss").isNotZero();
            assertThat(Duration.ofNanos(lostAt.get() - silentSince))
                    .as("the old holder noticed its loss within the bound")
                    .isLessThanOrEqualTo(taker.takeoverBound());
            assertThat(next.get().fencingToken()).isGreaterThan(old.fencingToken());

            journal.append(record(runId, 1, next.get().fencingToken()));
            assertThatThrownBy(() -> journal.append(record(runId, 2, old.fencingToken())))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_UNAVAILABLE));
            assertThat(journal.records(runId))
                    .extracting(JournalRecord::fencingToken)
                    .containsExactly(old.fencingToken(), next.get().fencingToken());
            old.close();
            assertThat(next.get().isHeld())
                    .as("closing the old lease left the new one alone")
                    .isTrue();
            next.get().close();
        }
    }

    private static PostgresRunLock lock(PostgresEndpoint endpoint, LockMode mode) {
        return PostgresRunLock.builder(endpoint)
                .mode(mode)
                .leaseTimeout(LEASE_TIMEOUT)
                .retryInterval(Duration.ofMillis(100))
                .build();
    }

    private static JournalRecord record(String runId, long sequence, long token) {
        return new JournalRecord(
                runId,
                sequence,
                sequence == 0 ? JournalRecord.Type.RUN_STARTED : JournalRecord.Type.DECISION,
                Instant.now(),
                Optional.empty(),
                token,
                Map.of("n", Long.toString(sequence)));
    }
}
