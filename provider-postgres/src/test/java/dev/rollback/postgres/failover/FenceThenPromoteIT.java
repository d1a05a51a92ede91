package dev.rollback.postgres.failover;

import static dev.rollback.postgres.failover.FailoverPreflightIT.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.Verification;
import dev.rollback.postgres.ConnectionSwitchStep;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.SwitchableDataSource;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A self-hosted failover while the old primary still answers, step by step on a real primary and a
 * real streaming standby: the fence stops its writes (sessions included) and survives its restart,
 * the replica catches up to the fenced primary's last WAL and is promoted with nothing lost, the
 * application is switched and writes to the new primary, and the old primary, back again, is refused.
 */
class FenceThenPromoteIT {

    @Test
    void theFencedOldPrimaryNeverTakesAWriteAgainAndTheApplicationWritesToThePromotedReplica() throws Exception {
        try (PostgresServer primary = PostgresServer.builder().build()) {
            primary.start();
            try (PostgresServer standby =
                    PostgresServer.builder().standbyOf(primary).build()) {
                standby.start();
                PostgresEndpoint old = endpoint(primary);
                PostgresEndpoint replica = endpoint(standby);
                TimelineFence guard = TimelineFence.create();
                SwitchableDataSource app = SwitchableDataSource.of(guard.guard(old.dataSource()), "old-primary");
                write(app, "CREATE TABLE orders(id serial PRIMARY KEY, note text)");
                write(app, "INSERT INTO orders(note) SELECT 'before' FROM generate_series(1, 50)");
                Connection openBeforeTheFence = app.getConnection();

                OldPrimaryFenceStep fence = OldPrimaryFenceStep.builder()
                        .oldPrimary(old)
                        .replica(replica)
                        .fence(guard)
                        .build();
                ReplicaPromotionStep promote = ReplicaPromotionStep.builder()
                        .replica(replica)
                        .primary(old)
                        .afterFence(fence)
                        .fence(guard)
                        .build();
                TestStepContext fenced = TestStepContext.of(fence.id(), Duration.ofSeconds(30));
                fence.preflight(fenced);
                fence.execute(fenced);

                assertThat(fenced.evidence())
                        .containsEntry(OldPrimaryFenceStep.REACHED, "true")
                        .containsEntry(OldPrimaryFenceStep.ALREADY_FENCED, "false")
                        .containsEntry(OldPrimaryFenceStep.TIMELINE, "00000001")
                        .containsKey(OldPrimaryFenceStep.FINAL_LSN);
                assertThat(Integer.parseInt(fenced.evidence().get(OldPrimaryFenceStep.TERMINATED)))
                        .isGreaterThanOrEqualTo(1);
                assertThatThrownBy(() -> openBeforeTheFence.createStatement().execute("SELECT 1"))
                        .as("a session opened before the fence was terminated")
                        .isInstanceOf(SQLException.class);
                openBeforeTheFence.close();
                assertThatThrownBy(() -> write(primary, "INSERT INTO orders(note) VALUES ('split brain')"))
                        .hasMessageContaining("read-only transaction");
                assertThatThrownBy(app::getConnection)
                        .as("the guard refuses the fenced timeline before any promotion")
                        .hasMessageContaining("on timeline 1, below timeline 2");
                assertThat(fence.tookEffect(fenced)).contains(true);

                TestStepContext promoted = TestStepContext.of(promote.id(), Duration.ofSeconds(60));
                fenced.evidence().forEach((k, v) -> promoted.withEvidenceOf(fence.id(), k, v));
                promote.preflight(promoted);
                promote.execute(promoted);

                assertThat(promoted.evidence())
                        .containsEntry(ReplicaPromotionStep.ALREADY_PROMOTED, "false")
                        .containsEntry(ReplicaPromotionStep.TIMELINE, "00000002")
                        .containsEntry(EvidenceKey.DATA_LOSS_WINDOW.name(), "PT0S")
                        .containsEntry(ReplicaPromotionStep.LAG_BYTES, "0");
                assertThat(promoted.evidence().get(ReplicaPromotionStep.DATA_LOSS_BASIS))
                        .contains("holds all WAL of the fenced primary (up to "
                                + fenced.evidence().get(OldPrimaryFenceStep.FINAL_LSN) + ")");
                assertThat(Lsn.parse(promoted.evidence().get(ReplicaPromotionStep.FORK_LSN)))
                        .isGreaterThanOrEqualTo(Lsn.parse(fenced.evidence().get(OldPrimaryFenceStep.FINAL_LSN)));
                assertThat(count(standby, "SELECT count(*) FROM orders WHERE note = 'before'"))
                        .isEqualTo(50);
                assertThat(promote.tookEffect(promoted)).contains(true);

                TestStepContext again = TestStepContext.of(promote.id(), Duration.ofSeconds(30));
                promote.execute(again);
                assertThat(again.evidence())
                        .containsEntry(ReplicaPromotionStep.ALREADY_PROMOTED, "true")
                        .containsEntry(ReplicaPromotionStep.TIMELINE, "00000002");

                ConnectionSwitchStep.builder()
                        .switchable(app)
                        .target(guard.guard(replica.dataSource()), replica.describe())
                        .build()
                        .execute(TestStepContext.of("connection-switch", Duration.ofSeconds(30)));
                Verification verified =
                        WritablePrimaryVerifier.of(app).promotedBy(promote).verify(promoted);
                assertThat(verified.passed()).as(verified.toString()).isTrue();
                assertThat(verified.details()).containsEntry("port", Integer.toString(standby.port()));
                write(app, "INSERT INTO orders(note) VALUES ('after')");

                // the old primary comes back
                primary.crashAndRestart();
                assertThatThrownBy(() -> write(primary, "INSERT INTO orders(note) VALUES ('split brain')"))
                        .as("still read-only after its restart")
                        .hasMessageContaining("read-only transaction");
                assertThatThrownBy(() -> guard.guard(old.dataSource()).getConnection())
                        .hasMessageContaining("a primary of cluster")
                        .hasMessageContaining("on timeline 1, below timeline 2 it was failed over to");
                Verification onOld =
                        WritablePrimaryVerifier.of(old.dataSource()).verify(promoted);
                assertThat(onOld.passed()).isFalse();
                assertThat(onOld.observed()).contains("read-only transaction");

                TestStepContext refence = TestStepContext.of(fence.id(), Duration.ofSeconds(30));
                fence.execute(refence);
                assertThat(refence.evidence()).containsEntry(OldPrimaryFenceStep.ALREADY_FENCED, "true");

                write(app, "INSERT INTO orders(note) VALUES ('after')");
                assertThat(count(standby, "SELECT count(*) FROM orders")).isEqualTo(52);
                assertThat(count(primary, "SELECT count(*) FROM orders WHERE note <> 'before'"))
                        .isZero();
                try (Connection c = app.getConnection();
                        Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(standby.port());
                }
            }
        }
    }

    private static void write(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void write(PostgresServer server, String sql) throws SQLException {
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(PostgresServer server, String sql) throws SQLException {
        try (Connection c = server.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
