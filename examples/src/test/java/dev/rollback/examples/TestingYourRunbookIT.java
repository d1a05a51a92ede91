package dev.rollback.examples;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.testkit.FakeStep;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's "Testing your runbook": a consuming project tests its own plan against a real
 * PostgreSQL started by the testkit, with a flaky step standing in for a throttled cloud API.
 */
class TestingYourRunbookIT {

    // snippet:testing
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.extension();

    @Test
    void theDatabaseRollbackRestoresTheClientsAndMeetsItsRto() throws Exception {
        try (Connection c = POSTGRES.server().connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE client (id int PRIMARY KEY)");
        }
        FakeStep backup =
                FakeStep.builder("emergency-backup", "postgres").safeguard(true).build();
        RollbackStep restore = RollbackStep.builder("restore-clients", "postgres")
                .destructive(true)
                .action(ctx -> {
                    try (Connection c = POSTGRES.server().connect();
                            Statement s = c.createStatement()) {
                        s.execute("INSERT INTO client SELECT generate_series(1, 3)");
                    }
                })
                .build();
        Verifier clients = Verifier.of("client-count", ctx -> {
            try (Connection c = POSTGRES.server().connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM client")) {
                rs.next();
                long n = rs.getLong(1);
                return n >= 3
                        ? Verification.passed("client-count", "at least 3 clients", n + " clients")
                        : Verification.failed("client-count", "at least 3 clients", n + " clients");
            }
        });
        RollbackPlan plan = RollbackPlan.builder(
                        "database-rollback", RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                .component("postgres", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(backup)
                .step(restore, step -> step.dependsOn("emergency-backup").verifier(clients))
                .build();

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            report = executor.run(plan, RunRequest.drill("ci"));
        }

        assertThat(report)
                .succeeded()
                .metRto("postgres")
                .ranExactlyOnce("restore-clients")
                .verification("client-count")
                .passed()
                .hasEvidenceContaining("3 clients");
    }
    // end:testing
}
