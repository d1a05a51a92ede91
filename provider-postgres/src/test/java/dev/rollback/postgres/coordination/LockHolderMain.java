package dev.rollback.postgres.coordination;

import dev.rollback.api.Secret;
import dev.rollback.api.spi.RunLease;
import dev.rollback.postgres.PostgresEndpoint;
import java.time.Duration;
import java.util.Optional;

/** A node in a child JVM: tries the run lock once, prints ACQUIRED &lt;token&gt; or BUSY, and holds it until killed. */
public final class LockHolderMain {
    private LockHolderMain() {}

    /** Arguments: host port database user key; the password comes in ROLLBACK_TEST_PASSWORD. */
    public static void main(String[] args) throws Exception {
        PostgresEndpoint endpoint = PostgresEndpoint.builder()
                .host(args[0])
                .port(Integer.parseInt(args[1]))
                .database(args[2])
                .user(args[3])
                .password(Secret.fromEnvironment("ROLLBACK_TEST_PASSWORD"))
                .build();
        Optional<RunLease> lease = PostgresRunLock.open(endpoint).tryAcquire(args[4], Duration.ZERO);
        System.out.println(lease.map(l -> "ACQUIRED " + l.fencingToken()).orElse("BUSY"));
        System.out.flush();
        if (lease.isPresent()) {
            Thread.sleep(600_000);
        }
    }
}
