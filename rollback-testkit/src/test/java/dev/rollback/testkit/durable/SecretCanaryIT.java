package dev.rollback.testkit.durable;

import static dev.rollback.testkit.durable.DurablePlan.LEAKY_LOGIN;
import static dev.rollback.testkit.durable.DurableRunFixture.WAIT;
import static dev.rollback.testkit.durable.DurableRunFixture.runIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.ChildJvm;
import dev.rollback.testkit.fault.SecretCanaries;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node gets the database password from its environment (as the application would, through
 * {@code Secret.fromEnvironment}) and a step fails with that password in its exception message.
 * The password must not be found, in any encoding, in the node's output, the journal, the JSON
 * report or any process's command line; the masked failure must be there, so the scans look at
 * the text that would have carried it.
 */
class SecretCanaryIT {
    private static final String MASKED_FAILURE = "the database refused the login of app with ***";

    @TempDir
    Path dir;

    @Test
    void aPasswordInAStepsFailureLeavesNoTraceInOutputJournalReportOrCommandLine() throws Exception {
        DurableRunFixture fixture = new DurableRunFixture(dir);
        SecretCanaries canaries = SecretCanaries.generate();
        CanaryScanner scanner = CanaryScanner.of(canaries);
        String runId;
        try (ChildJvm node = fixture.runner("node", LEAKY_LOGIN, "linger")
                .environment(DurablePlan.PASSWORD_VARIABLE, canaries.password())
                .start()) {
            runId = runIdOf(node);
            node.awaitLine(DurableRunNode.LINGERING::equals, WAIT);
            assertThat(node.lines()).contains(DurableRunNode.OUTCOME + "PARTIAL");
            assertThat(scanner.scanCommandLines())
                    .as("command lines while the node runs")
                    .isEmpty();
            assertThat(scanner.scan("command", String.join(" ", node.commandLine())))
                    .isEmpty();

            String output = String.join("\n", node.lines());
            assertThat(output).as("the failure is logged, masked").contains(MASKED_FAILURE);
            assertThat(scanner.scan("stdout and stderr", output)).isEmpty();
        }

        assertThat(fixture.journalOf(runId))
                .as("the failure is journaled, masked")
                .anySatisfy(r -> assertThat(r.data().get("reason")).contains(MASKED_FAILURE));
        assertThat(scanner.scan(fixture.journalDirectory())).isEmpty();

        Path report = fixture.reportFile("node");
        assertThat(Files.readString(report))
                .as("the failure is reported, masked")
                .contains(MASKED_FAILURE);
        assertThat(scanner.scan(report)).isEmpty();
    }
}
