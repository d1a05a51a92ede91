package dev.rollback.postgres.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.RunLease;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresRunLockIT {
    private static PostgresEndpoint store;

    @BeforeAll
    static void store() throws Exception {
        store = TestDatabases.create("coordination");
    }

    @Test
    void onlyOneHolderAtATimeAndEachNewHolderGetsAHigherToken() throws Exception {
        PostgresRunLock lock = PostgresRunLock.open(store);
        String key = "plan-" + UUID.randomUUID();
        RunLease first = lock.tryAcquire(key, Duration.ZERO).orElseThrow();
        assertThat(first.isHeld()).isTrue();
        assertThat(PostgresRunLock.open(store).tryAcquire(key, Duration.ofMillis(200)))
                .isEmpty();
        first.close();
        first.close();
        assertThat(first.isHeld()).isFalse();
        RunLease second = lock.tryAcquire(key, Duration.ZERO).orElseThrow();
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        second.close();
    }

    @Test
    void aKilledSessionLosesTheLeaseAndTheNextHolderGetsAHigherToken() throws Exception {
        PostgresRunLock lock = PostgresRunLock.open(store);
        String key = "plan-" + UUID.randomUUID();
        RunLease lease = lock.tryAcquire(key, Duration.ZERO).orElseThrow();
        TestDatabases.sql(
                TestDatabases.endpoint("postgres"),
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE application_name = 'rollback-run-lock' AND datname = '" + store.database() + "'");
        assertThat(lease.isHeld()).isFalse();
        RunLease next = lock.tryAcquire(key, Duration.ofSeconds(5)).orElseThrow();
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
        next.close();
        lease.close();
    }

    @Test
    void anUnreachableStoreFailsClosedNamingTheStoreButNotItsPassword() throws Exception {
        int deadPort = TestDatabases.freePort();
        PostgresEndpoint nowhere = store.toBuilder().port(deadPort).build();
        assertThatThrownBy(() -> PostgresRunLock.open(nowhere))
                .isInstanceOf(RollbackException.class)
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.LOCK_UNAVAILABLE))
                .hasMessageContaining("127.0.0.1:" + deadPort + "/" + store.database())
                .hasMessageNotContaining(store.password().reveal());
    }

    @Test
    void ofThreeNodeJvmsExactlyOneAcquiresAndAfterItIsKilledAnotherAcquiresWithAHigherToken() throws Exception {
        String key = "plan-" + UUID.randomUUID();
        PostgresRunLock.open(store);
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(Node.start(key));
            }
            List<String> lines = new ArrayList<>();
            for (Node n : nodes) {
                lines.add(n.firstLine());
            }
            assertThat(lines.stream().filter(l -> l.startsWith("ACQUIRED"))).hasSize(1);
            assertThat(lines.stream().filter(l -> l.equals("BUSY"))).hasSize(2);
            Node holder = nodes.get(lines.indexOf(lines.stream()
                    .filter(l -> l.startsWith("ACQUIRED"))
                    .findFirst()
                    .orElseThrow()));
            long firstToken = Long.parseLong(holder.firstLine().substring("ACQUIRED ".length()));

            holder.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Optional<RunLease> next = PostgresRunLock.open(store).tryAcquire(key, Duration.ofSeconds(20));
            assertThat(next).isPresent();
            assertThat(next.get().fencingToken()).isGreaterThan(firstToken);
            next.get().close();
        } finally {
            nodes.forEach(n -> n.process.destroyForcibly());
        }
    }

    /** A child JVM running {@link LockHolderMain}. */
    private static final class Node {
        final Process process;
        final CompletableFuture<String> line;

        private Node(Process process) {
            this.process = process;
            this.line = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        if (l.startsWith("ACQUIRED") || l.equals("BUSY")) {
                            return l;
                        }
                    }
                    return "EXITED";
                } catch (Exception e) {
                    return "ERROR " + e;
                }
            });
        }

        static Node start(String key) throws Exception {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(
                            java.toString(),
                            LockHolderMain.class.getName(),
                            store.host(),
                            Integer.toString(store.port()),
                            store.database(),
                            store.user(),
                            key)
                    .redirectErrorStream(true);
            pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            pb.environment().put("ROLLBACK_TEST_PASSWORD", store.password().reveal());
            assertThat(Files.isExecutable(java)).isTrue();
            return new Node(pb.start());
        }

        String firstLine() throws Exception {
            return line.get(60, TimeUnit.SECONDS);
        }
    }
}
