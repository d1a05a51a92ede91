package dev.rollback.postgres.coordination;

import dev.rollback.api.spi.RunLock;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.contract.RunLockContract;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link PostgresRunLock} keeps the {@link RunLock} contract, on a real PostgreSQL server from the
 * testkit: every lock is a new instance on one database, and a lease is lost by terminating the
 * database session that holds it.
 */
class PostgresRunLockContractIT extends RunLockContract {
    private static PostgresEndpoint store;

    @BeforeAll
    static void store() throws Exception {
        store = TestDatabases.create("lock_contract");
    }

    @Override
    protected RunLock createLock() {
        return PostgresRunLock.open(store);
    }

    @Override
    protected Optional<LeaseBreaker> leaseBreaker() {
        return Optional.of(lease -> TestDatabases.sql(
                TestDatabases.endpoint("postgres"),
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        + " AND database = (SELECT oid FROM pg_database WHERE datname = '" + store.database() + "')"
                        + " AND ((classid::bigint << 32) | objid::bigint) = " + PostgresRunLock.lockId(lease.key())));
    }

    @Override
    protected Optional<Callable<RunLock>> unreachableLock() {
        return Optional.of(() -> {
            int deadPort = TestDatabases.freePort();
            return PostgresRunLock.open(store.toBuilder().port(deadPort).build());
        });
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(store.password().reveal());
    }
}
