package dev.rollback.postgres.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.api.spi.RunLease;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.postgres.PgBouncer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault: something a session lock cannot trust sits between the node and PostgreSQL (a real PgBouncer,
 * installed from Debian by the test when missing), or the server only takes reads. Invariant: the
 * session-mode lock refuses at acquisition, before any lock is taken, with an error that says what to
 * change; lease mode works through the same pooler.
 */
class LockSafetyIT {

    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session"})
    void aSessionLockThroughAPoolerIsRefusedSayingWhatToChangeAndHoldsNothing(String poolMode) throws Exception {
        PostgresEndpoint store = TestDatabases.create("pooled_" + poolMode);
        try (PgBouncer bouncer = PgBouncer.builder(TestDatabases.server())
                .poolMode(poolMode)
                .poolSize(2)
                .build()) {
            bouncer.start();
            PostgresEndpoint pooled = store.toBuilder()
                    .host(bouncer.host())
                    .port(bouncer.port())
                    .password(Secret.of(bouncer.password()))
                    .build();
            String key = "plan-" + UUID.randomUUID();
            PostgresRunLock session = PostgresRunLock.open(pooled);

            assertThatThrownBy(() -> session.tryAcquire(key, Duration.ZERO))
                    .isInstanceOfSatisfying(
                            RollbackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("connection pooler")
                    .hasMessageContaining("connect the run lock to PostgreSQL directly")
                    .hasMessageContaining("LockMode.LEASE")
                    .hasMessageNotContaining(store.password().reveal());
            assertThat(TestDatabases.queryLong(
                            TestDatabases.endpoint("postgres"),
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database ="
                                    + " (SELECT oid FROM pg_database WHERE datname = '" + store.database() + "')"))
                    .as("advisory locks left on the server")
                    .isZero();

            RunLease lease = PostgresRunLock.builder(pooled)
                    .mode(LockMode.LEASE)
                    .build()
                    .tryAcquire(key, Duration.ZERO)
                    .orElseThrow();
            assertThat(lease.isHeld()).isTrue();
            lease.close();
        }
    }

    @Test
    void aSessionLockOnReadOnlySessionsIsRefusedNamingTheSetting() throws Exception {
        PostgresEndpoint store = TestDatabases.create("read_only");
        PostgresRunLock lock = PostgresRunLock.open(store);
        TestDatabases.sql(
                TestDatabases.endpoint("postgres"),
                "ALTER DATABASE " + store.database() + " SET default_transaction_read_only = on");

        assertThatThrownBy(() -> lock.tryAcquire("plan-" + UUID.randomUUID(), Duration.ZERO))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("default_transaction_read_only is on")
                .hasMessageContaining("primary");
    }

    @Test
    void aDirectSessionLockPassesTheChecksAndTheServerEndsItsSessionWhenSilent() throws Exception {
        PostgresEndpoint store = TestDatabases.create("direct_checks");
        PostgresRunLock lock = PostgresRunLock.builder(store)
                .leaseTimeout(Duration.ofSeconds(4))
                .build();
        RunLease lease =
                lock.tryAcquire("plan-" + UUID.randomUUID(), Duration.ZERO).orElseThrow();
        assertThat(TestDatabases.queryLong(
                        TestDatabases.endpoint("postgres"),
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rollback-run-lock'"
                                + " AND datname = '" + store.database() + "'"))
                .isEqualTo(1);
        assertThat(lease.isHeld()).isTrue();
        lease.close();
    }
}
