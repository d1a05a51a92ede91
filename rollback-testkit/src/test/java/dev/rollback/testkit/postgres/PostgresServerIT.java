package dev.rollback.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testkit.Leftovers;
import dev.rollback.testkit.ServerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresServerIT {

    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.extension();

    @Test
    void servesTheJdbcDriverOnLoopbackWithPasswordAuthentication() throws Exception {
        PostgresServer server = POSTGRES.server();
        try (Connection c = server.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select inet_server_addr()::text, current_setting('wal_level'),"
                        + " current_setting('archive_mode'), current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("127.0.0.1");
            assertThat(rs.getString(2)).isEqualTo("replica");
            assertThat(rs.getString(3)).isEqualTo("on");
            assertThat(rs.getString(4)).isEqualTo(server.user());
        }
        assertThat(server.jdbcUrl()).doesNotContain(server.password());
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.user(), "wrong"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void runsAsAnUnprivilegedUserWhenTheTestRunsAsRoot() throws Exception {
        PostgresServer server = POSTGRES.server();
        long pid = server.pid().orElseThrow();
        int uid = (Integer) Files.getAttribute(Path.of("/proc/" + pid), "unix:uid");
        boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        if (root) {
            assertThat(uid).as("postmaster uid").isEqualTo(65534);
        } else {
            assertThat(uid).isEqualTo((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        }
    }

    @Test
    void archivesWalSegmentsForPointInTimeRecovery() throws Exception {
        PostgresServer server = POSTGRES.server();
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("create table if not exists marker(id int)");
            s.execute("insert into marker values (1)");
            s.execute("select pg_switch_wal()");
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (isEmpty(server.archiveDir()) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(isEmpty(server.archiveDir()))
                .as("archive folder has a WAL segment")
                .isFalse();
        assertThat(server.binaries().tool("pg_basebackup")).isExecutable();
        assertThat(server.binaries().tool("pg_dump")).isExecutable();
    }

    @Test
    void keepsCommittedDataAcrossARestartAndACrash() throws Exception {
        PostgresServer server = POSTGRES.server();
        int port = server.port();
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("create table kept(id int)");
            s.execute("insert into kept values (42)");
        }
        server.restart();
        assertThat(count(server, "kept")).isEqualTo(1);
        server.crash();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(server::connect).isInstanceOf(SQLException.class);
        server.start();
        assertThat(server.port()).isEqualTo(port);
        assertThat(count(server, "kept")).isEqualTo(1);
        assertThat(Files.readString(server.logFile())).contains("database system was interrupted");
    }

    @Test
    void leavesNoProcessAndNoFolderBehindWhenClosed() throws Exception {
        PostgresServer server = PostgresServer.builder().build();
        server.start();
        long pid = server.pid().orElseThrow();
        Path base = server.baseDir();
        try (Connection c = server.connect()) {
            assertThat(c.isValid(5)).isTrue();
        }
        server.close();
        assertThat(Leftovers.isRunning(pid)).as("postmaster").isFalse();
        assertThat(Leftovers.processesMentioning(base)).isEmpty();
        assertThat(base).doesNotExist();
        assertThatThrownBy(server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    private static long count(PostgresServer server, String table) throws SQLException {
        try (Connection c = server.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }
}
