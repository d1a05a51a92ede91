package dev.rollback.postgres.coordination;

import dev.rollback.api.spi.RunLock;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.contract.RunLockContract;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link PostgresRunLock} in {@link LockMode#LEASE} keeps the {@link RunLock} contract on a direct
 * connection to a real server: a lease is lost by expiring its row behind its back.
 */
class PostgresLeaseLockContractIT extends RunLockContract {
    private static PostgresEndpoint store;

    @BeforeAll
    static void store() throws Exception {
        store = TestDatabases.create("lease_contract");
    }

    @Override
    protected RunLock createLock() {
        return PostgresRunLock.builder(store)
                .mode(LockMode.LEASE)
                .leaseTimeout(Duration.ofSeconds(3))
                .build();
    }

    @Override
    protected Optional<LeaseBreaker> leaseBreaker() {
        return Optional.of(lease -> TestDatabases.sql(
                store,
                "UPDATE rollback.run_leases SET expires_at = '-infinity' WHERE lock_key = '" + lease.key() + "'"));
    }

    @Override
    protected Duration leaseLossBound() {
        return Duration.ofSeconds(5);
    }

    @Override
    protected Optional<Callable<RunLock>> unreachableLock() {
        return Optional.of(() -> {
            int deadPort = TestDatabases.freePort();
            return PostgresRunLock.builder(store.toBuilder().port(deadPort).build())
                    .mode(LockMode.LEASE)
                    .build();
        });
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(store.password().reveal());
    }
}
