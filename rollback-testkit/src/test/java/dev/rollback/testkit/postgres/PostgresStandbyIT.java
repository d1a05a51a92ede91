package dev.rollback.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testkit.Leftovers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A streaming standby of a running server, made by the kit: one primary and one standby for the class. */
class PostgresStandbyIT {

    @Test
    void aStandbyStreamsFromItsPrimaryReplaysItsWritesRefusesItsOwnAndCanBePromoted() throws Exception {
        try (PostgresServer primary = PostgresServer.builder().build()) {
            primary.start();
            Path folder;
            try (PostgresServer standby =
                    PostgresServer.builder().standbyOf(primary).build()) {
                assertThatThrownBy(standby::port).hasMessageContaining("not been started");
                standby.start();

                assertThat(standby.primary()).containsSame(primary);
                assertThat(standby.port()).isNotEqualTo(primary.port());
                assertThat(standby.password()).isEqualTo(primary.password());
                assertThat(standby.dataDir()).isNotEqualTo(primary.dataDir());
                assertThat(Files.exists(standby.dataDir().resolve("standby.signal")))
                        .isTrue();
                assertThat(string(standby, "SELECT status FROM pg_stat_wal_receiver"))
                        .isEqualTo("streaming");
                assertThat(string(primary, "SELECT count(*)::text FROM pg_stat_replication WHERE state = 'streaming'"))
                        .isEqualTo("1");
                assertThat(string(standby, "SELECT current_setting('archive_command')"))
                        .contains(standby.archiveDir().toString())
                        .doesNotContain(primary.archiveDir().toString());
                String conninfo = string(standby, "SELECT current_setting('primary_conninfo')");
                assertThat(conninfo).contains("port=" + primary.port()).doesNotContain(primary.password());

                execute(primary, "CREATE TABLE marker(id int)", "INSERT INTO marker VALUES (1), (2)");
                standby.awaitCaughtUp(Duration.ofSeconds(30));
                assertThat(string(standby, "SELECT count(*)::text FROM marker")).isEqualTo("2");
                assertThat(string(standby, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
                assertThatThrownBy(() -> execute(standby, "INSERT INTO marker VALUES (3)"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("read-only transaction");

                if ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0) {
                    long pid = standby.pid().orElseThrow();
                    assertThat((Integer) Files.getAttribute(Path.of("/proc/" + pid), "unix:uid"))
                            .isEqualTo(65534);
                }

                execute(standby, "SELECT pg_promote(true, 30)", "INSERT INTO marker VALUES (3)");
                assertThat(string(standby, "SELECT count(*)::text FROM marker")).isEqualTo("3");
                assertThat(string(standby, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                        .isEqualTo("00000002");
                assertThatThrownBy(() -> standby.awaitStreaming(Duration.ofMillis(200)))
                        .hasMessageContaining("to stream from its primary");

                folder = standby.baseDir();
            }
            // closing the standby removes its folder and leaves no process behind
            assertThat(folder).doesNotExist();
            assertThat(Leftovers.processesMentioning(folder)).isEmpty();
        }
    }

    @Test
    void aStandbyOfAServerThatDoesNotRunIsRefusedBeforeAnythingIsCreated() {
        try (PostgresServer primary = PostgresServer.builder().build();
                PostgresServer standby =
                        PostgresServer.builder().standbyOf(primary).build()) {
            assertThatThrownBy(standby::start).hasMessageContaining("must be running to start a standby of it");
            assertThatThrownBy(standby::baseDir).hasMessageContaining("not been started");
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

    private static void execute(PostgresServer server, String... statements) throws SQLException {
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
