package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.postgres.failover.OldPrimaryFenceStep;
import dev.rollback.postgres.failover.ReplicaPromotionStep;
import dev.rollback.postgres.failover.SelfHostedFailover;
import dev.rollback.postgres.failover.TimelineFence;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.SecretCanaries;
import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The runbook's database failover, self-hosted, end to end through the executor: the primary crashes
 * (the DB-connection trigger), the "database-failover" plan fences what it can, promotes the streaming
 * standby, switches the application and verifies it writes there; the report's RPO figure is the
 * data loss measured from replication; the old primary, back again, is refused.
 */
class DatabaseFailoverIT {

    @Test
    void aCrashedPrimaryIsReplacedByItsStandbyTheApplicationWritesThereAndTheReportsRpoIsTheMeasuredLag()
            throws Exception {
        try (PostgresServer primary = PostgresServer.builder().build()) {
            primary.start();
            try (PostgresServer standby =
                    PostgresServer.builder().standbyOf(primary).build()) {
                standby.start();
                // the failover logs in with a canary password, which must never leave
                SecretCanaries canaries = SecretCanaries.generate();
                try (Connection c = primary.connect();
                        Statement s = c.createStatement()) {
                    s.execute("CREATE ROLE failover_admin LOGIN SUPERUSER PASSWORD '"
                            + canaries.password().replace("'", "''") + "'");
                }
                PostgresEndpoint old = endpoint(primary, canaries.password());
                PostgresEndpoint replica = endpoint(standby, canaries.password());
                TimelineFence fence = TimelineFence.create();
                SwitchableDataSource app = SwitchableDataSource.of(fence.guard(old.dataSource()), "primary");
                write(app, "CREATE TABLE invoices(id serial PRIMARY KEY, amount int)");
                Instant lastWrite = Instant.now();
                write(app, "INSERT INTO invoices(amount) SELECT g FROM generate_series(1, 100) g");
                standby.awaitCaughtUp(Duration.ofSeconds(30));
                primary.crash();

                SelfHostedFailover failover = SelfHostedFailover.builder()
                        .oldPrimary(old.toBuilder()
                                .connectTimeout(Duration.ofSeconds(2))
                                .build())
                        .replica(replica)
                        .application(app)
                        .fence(fence)
                        .build();
                RollbackPlan plan = PostgresRollback.selfHostedFailoverPlan(failover);
                RollbackReport report;
                try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
                    report = executor.run(plan, RunRequest.drill("database-failover-test"));
                }
                Instant afterRun = Instant.now();

                assertThat(report.outcome()).as(report.toString()).isEqualTo(RunOutcome.SUCCEEDED);
                assertThat(report.planName()).isEqualTo("database-failover");
                assertThat(report.steps())
                        .extracting(StepReport::stepId)
                        .containsExactly("fence-old-primary", "promote-replica", "switch-to-promoted-replica");
                StepReport fenced = report.step("fence-old-primary").orElseThrow();
                assertThat(fenced.evidence()).containsEntry(OldPrimaryFenceStep.REACHED, "false");
                StepReport promoted = report.step("promote-replica").orElseThrow();
                assertThat(promoted.evidence())
                        .containsEntry(ReplicaPromotionStep.TIMELINE, "00000002")
                        .containsEntry(ReplicaPromotionStep.ALREADY_PROMOTED, "false");
                assertThat(promoted.attempts()).hasSize(1);
                Duration measured =
                        promoted.evidence(EvidenceKey.DATA_LOSS_WINDOW).orElseThrow();
                // the standby had replayed the last write, so its last contact is no earlier than it
                assertThat(measured).isPositive().isLessThanOrEqualTo(Duration.between(lastWrite, afterRun));
                ComponentReport postgres = report.component("postgres").orElseThrow();
                assertThat(postgres.objectives()).isEqualTo(PostgresRollback.DATABASE_ROLLBACK);
                assertThat(postgres.dataLossWindow()).contains(measured);
                assertThat(postgres.rpo()).isEqualTo(TargetStatus.MET);
                assertThat(report.step("switch-to-promoted-replica")
                                .orElseThrow()
                                .verifications())
                        .singleElement()
                        .satisfies(v -> {
                            assertThat(v.name()).isEqualTo("writable-primary");
                            assertThat(v.passed()).as(v.toString()).isTrue();
                            assertThat(v.details()).containsEntry("port", Integer.toString(standby.port()));
                        });

                write(app, "INSERT INTO invoices(amount) VALUES (101)");
                assertThat(query(app, "SELECT count(*) || '@' || inet_server_port() FROM invoices"))
                        .isEqualTo("101@" + standby.port());

                // the old primary comes back: it was unreachable when fenced, so it starts writable,
                // but the application's fence refuses its timeline, and a second fence makes it read-only
                primary.start();
                SQLException refused = catchThrowableOfType(
                        SQLException.class, () -> fence.guard(old.dataSource()).getConnection());
                assertThat(refused.getMessage()).contains("on timeline 1, below timeline 2 it was failed over to");
                TestStepContext again = TestStepContext.of("fence-old-primary", Duration.ofSeconds(30));
                failover.fenceStep().execute(again);
                assertThat(again.evidence())
                        .containsEntry(OldPrimaryFenceStep.REACHED, "true")
                        .containsEntry(OldPrimaryFenceStep.ALREADY_FENCED, "false");
                assertThatThrownBy(() -> write(old.dataSource(), "INSERT INTO invoices(amount) VALUES (-1)"))
                        .hasMessageContaining("read-only transaction");
                assertThat(query(app, "SELECT count(*)::text FROM invoices")).isEqualTo("101");

                CanaryScanner scanner = CanaryScanner.of(canaries);
                assertThat(scanner.scan("report", JsonReportRenderer.render(report)))
                        .isEmpty();
                assertThat(scanner.scan("report text", report.toString())).isEmpty();
                assertThat(scanner.scan("fence evidence", again.evidence().toString()))
                        .isEmpty();
                assertThat(scanner.scan("refusal", refused.toString())).isEmpty();
                assertThat(scanner.scanCommandLines()).isEmpty();
            }
        }
    }

    private static PostgresEndpoint endpoint(PostgresServer server, String password) {
        return PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database("postgres")
                .user("failover_admin")
                .password(Secret.of(password))
                .build();
    }

    private static void write(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String query(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
