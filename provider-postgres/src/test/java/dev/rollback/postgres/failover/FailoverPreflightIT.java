package dev.rollback.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read-only side of a self-hosted failover on one real primary and one real streaming standby
 * (neither is promoted here): preflight checks, refusals before any change, the timeline guard on a
 * standby, and a promotion of a server that is a primary already.
 */
class FailoverPreflightIT {
    private static PostgresServer primary;
    private static PostgresServer standby;

    @BeforeAll
    static void servers() {
        primary = PostgresServer.builder().build();
        primary.start();
        standby = PostgresServer.builder().standbyOf(primary).build();
        standby.start();
    }

    @AfterAll
    static void close() {
        standby.close();
        primary.close();
    }

    static PostgresEndpoint endpoint(PostgresServer server) {
        return PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database("postgres")
                .user(server.user())
                .password(Secret.of(server.password()))
                .build();
    }

    private static void sql(PostgresServer server, String... statements) throws SQLException {
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static String string(PostgresServer server, String query) throws SQLException {
        try (Connection c = server.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static TestStepContext context(String step) {
        return TestStepContext.of(step, Duration.ofSeconds(30));
    }

    @Test
    void aReplicaHoldingAllThePrimaryWroteMayBePromotedWithNothingLostAndTheFenceMayGoAhead() throws Exception {
        sql(primary, "CREATE TABLE IF NOT EXISTS marker(id int)", "INSERT INTO marker VALUES (1)");
        standby.awaitCaughtUp(Duration.ofSeconds(30));
        TestStepContext promote = context("promote-replica");

        ReplicaPromotionStep.builder()
                .replica(endpoint(standby))
                .primary(endpoint(primary))
                .build()
                .preflight(promote);

        assertThat(promote.evidence())
                .containsEntry(EvidenceKey.DATA_LOSS_WINDOW.name(), "PT0S")
                .containsEntry(ReplicaPromotionStep.LAG_BYTES, "0");
        assertThat(promote.evidence().get(ReplicaPromotionStep.DATA_LOSS_BASIS))
                .contains("the replica holds all WAL the primary has written");
        TestStepContext fence = context("fence-old-primary");
        OldPrimaryFenceStep.builder()
                .oldPrimary(endpoint(primary))
                .replica(endpoint(standby))
                .build()
                .preflight(fence);
        assertThat(fence.evidence()).containsEntry(OldPrimaryFenceStep.REACHED, "true");
        assertThat(fence.evidence().get(OldPrimaryFenceStep.REPLICA_LAG)).startsWith("PT0S");
        assertThat(fence.evidence()).doesNotContainKey(EvidenceKey.DATA_LOSS_WINDOW.name());
        assertThat(string(primary, "SHOW default_transaction_read_only"))
                .as("a preflight changes nothing")
                .isEqualTo("off");
        assertThat(string(standby, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
    }

    @Test
    void aReplicaWhoseReplayIsPausedIsRefusedBeforeAnyChange() throws Exception {
        sql(standby, "SELECT pg_wal_replay_pause()");
        try {
            ReplicaPromotionStep promote =
                    ReplicaPromotionStep.builder().replica(endpoint(standby)).build();
            assertThatThrownBy(() -> promote.preflight(context("promote-replica")))
                    .hasMessageContaining(
                            "WAL replay on the replica " + endpoint(standby).describe() + " is paused");
            assertThatThrownBy(() -> promote.execute(context("promote-replica")))
                    .hasMessageContaining("is paused");
            assertThatThrownBy(() -> OldPrimaryFenceStep.builder()
                            .oldPrimary(endpoint(primary))
                            .replica(endpoint(standby))
                            .build()
                            .preflight(context("fence-old-primary")))
                    .hasMessageContaining("is paused");
            assertThat(string(standby, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
        } finally {
            sql(standby, "SELECT pg_wal_replay_resume()");
        }
    }

    @Test
    void aReplicaFurtherBehindThanTheRpoIsRefusedAndSoIsFencingItsPrimary() throws Exception {
        String conninfo = string(standby, "SHOW primary_conninfo");
        sql(primary, "CREATE TABLE IF NOT EXISTS marker(id int)", "INSERT INTO marker VALUES (2)");
        standby.awaitCaughtUp(Duration.ofSeconds(30));
        // replication breaks: the standby's WAL receiver stops, the primary goes on writing
        sql(standby, "ALTER SYSTEM SET primary_conninfo = ''", "SELECT pg_reload_conf()");
        try {
            awaitNoReceiver();
            sql(primary, "INSERT INTO marker VALUES (3)");
            Thread.sleep(600);

            TestStepContext promote = context("promote-replica");
            assertThatThrownBy(() -> ReplicaPromotionStep.builder()
                            .replica(endpoint(standby))
                            .primary(endpoint(primary))
                            .maxDataLoss(Duration.ofMillis(500))
                            .build()
                            .preflight(promote))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                    .hasMessageContaining("more than the allowed data loss (RPO) of PT0.5S")
                    .hasMessageContaining("bytes of WAL")
                    .hasMessageContaining("nothing was changed");
            assertThat(promote.evidence()).doesNotContainKey(EvidenceKey.DATA_LOSS_WINDOW.name());
            assertThatThrownBy(() -> OldPrimaryFenceStep.builder()
                            .oldPrimary(endpoint(primary))
                            .replica(endpoint(standby))
                            .maxDataLoss(Duration.ofMillis(500))
                            .build()
                            .preflight(context("fence-old-primary")))
                    .hasMessageContaining("more than the allowed data loss");
            assertThat(string(primary, "SHOW default_transaction_read_only")).isEqualTo("off");
        } finally {
            sql(
                    standby,
                    "ALTER SYSTEM SET primary_conninfo = '" + conninfo.replace("'", "''") + "'",
                    "SELECT pg_reload_conf()");
            standby.awaitStreaming(Duration.ofSeconds(30));
        }
    }

    @Test
    void aReplicaOfAnotherClusterIsRefused() {
        PostgresEndpoint other = TestDatabases.endpoint("postgres");
        assertThatThrownBy(() -> ReplicaPromotionStep.builder()
                        .replica(endpoint(standby))
                        .primary(other)
                        .build()
                        .preflight(context("promote-replica")))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("it is no standby of that primary");
        assertThatThrownBy(() -> OldPrimaryFenceStep.builder()
                        .oldPrimary(other)
                        .replica(endpoint(standby))
                        .build()
                        .preflight(context("fence-old-primary")))
                .hasMessageContaining("it is no standby of that primary");
    }

    @Test
    void aServerThatIsAPrimaryAlreadyIsNotPromotedAgainAndTheStepSaysSo() throws Exception {
        ReplicaPromotionStep promote =
                ReplicaPromotionStep.builder().replica(endpoint(primary)).build();
        TestStepContext context = context("promote-replica");

        promote.execute(context);

        assertThat(context.evidence())
                .containsEntry(ReplicaPromotionStep.ALREADY_PROMOTED, "true")
                .containsEntry(ReplicaPromotionStep.TIMELINE, "00000001")
                .doesNotContainKey(EvidenceKey.DATA_LOSS_WINDOW.name());
        assertThat(promote.tookEffect(context)).contains(true);
        assertThat(ReplicaPromotionStep.builder()
                        .replica(endpoint(standby))
                        .build()
                        .tookEffect(context))
                .contains(false);
        assertThat(string(primary, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                .isEqualTo("00000001");
    }

    @Test
    void theTimelineGuardRefusesAStandbyAndLearnsThePrimarysTimeline() throws Exception {
        TimelineFence fence = TimelineFence.create();

        assertThatThrownBy(() -> fence.guard(endpoint(standby).dataSource()).getConnection())
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(TimelineFence.REFUSED))
                .hasMessageContaining("in recovery (a standby)");
        try (Connection c = fence.guard(endpoint(primary).dataSource()).getConnection()) {
            assertThat(c.isValid(5)).isTrue();
        }
        String system = string(primary, "SELECT system_identifier::text FROM pg_control_system()");
        assertThat(fence.minimumTimeline(system)).hasValue(1);
    }

    private static void awaitNoReceiver() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"0".equals(string(standby, "SELECT count(*)::text FROM pg_stat_wal_receiver"))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the standby's WAL receiver did not stop");
            }
            Thread.sleep(20);
        }
    }
}
