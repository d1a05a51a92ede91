package dev.rollback.postgres.coordination;

import dev.rollback.api.Secret;
import dev.rollback.api.spi.RunLock;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.contract.RunLockContract;
import dev.rollback.testkit.postgres.PgBouncer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link PostgresRunLock} in {@link LockMode#LEASE} keeps the {@link RunLock} contract through a real
 * PgBouncer in transaction mode (installed from Debian by the test when missing), where every
 * statement may reach another server connection.
 */
class PostgresLeaseLockThroughPgBouncerContractIT extends RunLockContract {
    private static PostgresEndpoint direct;
    private static PostgresEndpoint pooled;
    private static PgBouncer bouncer;

    @BeforeAll
    static void store() throws Exception {
        direct = TestDatabases.create("lease_pooled");
        bouncer = PgBouncer.builder(TestDatabases.server()).poolSize(3).build();
        bouncer.start();
        pooled = direct.toBuilder()
                .host(bouncer.host())
                .port(bouncer.port())
                .password(Secret.of(bouncer.password()))
                .build();
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @Override
    protected RunLock createLock() {
        return PostgresRunLock.builder(pooled)
                .mode(LockMode.LEASE)
                .leaseTimeout(Duration.ofSeconds(3))
                .build();
    }

    /** The pooler's endpoint on a port where nothing listens: a pooler that is down. */
    @Override
    protected Optional<Callable<RunLock>> unreachableLock() {
        return Optional.of(() -> {
            int deadPort = TestDatabases.freePort();
            return PostgresRunLock.builder(pooled.toBuilder().port(deadPort).build())
                    .mode(LockMode.LEASE)
                    .build();
        });
    }

    @Override
    protected Optional<LeaseBreaker> leaseBreaker() {
        return Optional.of(lease -> TestDatabases.sql(
                direct,
                "UPDATE rollback.run_leases SET expires_at = '-infinity' WHERE lock_key = '" + lease.key() + "'"));
    }

    @Override
    protected Duration leaseLossBound() {
        return Duration.ofSeconds(5);
    }

    @Override
    protected Set<String> secrets() {
        return Set.copyOf(List.of(direct.password().reveal(), bouncer.password()));
    }
}
