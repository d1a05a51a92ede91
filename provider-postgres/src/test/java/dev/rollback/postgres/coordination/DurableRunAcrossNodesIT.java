package dev.rollback.postgres.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableRunAcrossNodesIT {
    @TempDir
    Path tmp;

    @Test
    void aRunWhoseNodeIsKilledMidStepIsResumedByAnotherNodeAndNoFinishedStepRunsTwice() throws Exception {
        PostgresEndpoint store = TestDatabases.create("durable");
        Path ledger = tmp.resolve("ledger");
        Node first = Node.start(store, ledger, "node1", "run", "-", "hold");
        Node second = null;
        try {
            String runId = first.await("run ").substring("run ".length());
            first.await("holding");
            first.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            second = Node.start(store, ledger, "node2", "resume", runId, "go");
            assertThat(second.await("outcome ")).isEqualTo("outcome SUCCEEDED");

            assertThat(Files.readAllLines(ledger))
                    .containsExactly("a node1", "b-start node1", "b-start node2", "b-done node2");
            List<JournalRecord> records = PostgresJournal.open(store).records(runId);
            assertThat(records).extracting(JournalRecord::type).contains(JournalRecord.Type.RUN_FINISHED);
            assertThat(records.get(records.size() - 1).fencingToken())
                    .isGreaterThan(records.get(0).fencingToken());
            assertThat(PostgresJournal.open(store).unfinishedRuns()).doesNotContain(runId);
        } finally {
            first.process.destroyForcibly();
            if (second != null) {
                second.process.destroyForcibly();
            }
        }
    }

    /** A child JVM running {@link DurableNodeMain}. */
    private static final class Node {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Node(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (Exception e) {
                    lines.add("ERROR " + e);
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Node start(PostgresEndpoint store, Path ledger, String node, String mode, String runId, String hold)
                throws Exception {
            ProcessBuilder pb = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            DurableNodeMain.class.getName(),
                            store.host(),
                            Integer.toString(store.port()),
                            store.database(),
                            store.user(),
                            ledger.toString(),
                            node,
                            mode,
                            runId,
                            hold)
                    .redirectErrorStream(true);
            pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            pb.environment().put("ROLLBACK_TEST_PASSWORD", store.password().reveal());
            return new Node(pb.start());
        }

        String await(String prefix) throws Exception {
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
                seen.append(line).append('\n');
            }
            throw new AssertionError("no line starting with '" + prefix + "'; saw:\n" + seen);
        }
    }
}
