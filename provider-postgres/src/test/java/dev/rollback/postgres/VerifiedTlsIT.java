package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.postgres.coordination.PostgresJournal;
import dev.rollback.postgres.coordination.PostgresRunLock;
import dev.rollback.postgres.internal.PgTool;
import dev.rollback.postgres.restore.BaseBackupStep;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.postgres.PostgresServer;
import dev.rollback.testkit.tls.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verified TLS against real PostgreSQL servers whose certificates a test authority issued: one for
 * the host the client dials (127.0.0.1), one for another host (wrong.example). With
 * {@code verify-full} and the authority's root, the JDBC driver and the PostgreSQL tools accept
 * the first and refuse the second, and neither error holds the password.
 */
class VerifiedTlsIT {
    private static TestCertificates ca;
    private static PostgresServer right;
    private static PostgresServer wrong;

    @TempDir
    Path tmp;

    @BeforeAll
    static void servers() throws SQLException {
        ca = TestCertificates.create();
        right = PostgresServer.builder()
                .tls(ca.issue("localhost", "127.0.0.1"))
                .setting("log_connections", "on")
                .build();
        wrong = PostgresServer.builder().tls(ca.issue("wrong.example")).build();
        right.start();
        wrong.start();
        try (Connection c = right.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts(id int PRIMARY KEY)");
            s.execute("INSERT INTO accounts SELECT generate_series(1, 100)");
        }
    }

    @AfterAll
    static void close() {
        if (right != null) {
            right.close();
        }
        if (wrong != null) {
            wrong.close();
        }
        if (ca != null) {
            ca.close();
        }
    }

    private static PostgresEndpoint.Builder endpoint(PostgresServer server) {
        return PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database("postgres")
                .user(server.user())
                .password(Secret.of(server.password()))
                .connectTimeout(Duration.ofSeconds(5));
    }

    private static PostgresEndpoint verified(PostgresServer server) {
        return endpoint(server)
                .sslMode(PostgresSslMode.VERIFY_FULL)
                .sslRootCertificate(ca.rootCertificateFile())
                .build();
    }

    @Test
    void jdbcConnectsWithVerifyFullToTheHostTheCertificateNamesAndTheSessionIsEncrypted() throws SQLException {
        try (Connection c = verified(right).connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }

    @Test
    void pgDumpOfTheEmergencyBackupConnectsOverVerifiedTlsToTheRightHost() throws Exception {
        Path backups = Files.createDirectories(tmp.resolve("backups"));
        EmergencyBackupStep step = EmergencyBackupStep.builder()
                .endpoint(verified(right))
                .backupDir(backups)
                .binDir(right.binaries().binDir())
                .build();

        step.execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1)));

        try (Stream<Path> files = Files.list(backups)) {
            assertThat(files.toList()).isNotEmpty();
        }
        // the server logs each connection with its TLS state: pg_dump's came in over TLS
        assertThat(Files.readAllLines(right.logFile()))
                .anySatisfy(line -> assertThat(line).contains("application_name=pg_dump", "SSL enabled"));
    }

    @Test
    void jdbcRefusesAServerWhoseCertificateNamesAnotherHost() {
        assertThatThrownBy(() -> verified(wrong).connect())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"))
                .hasMessageContaining("127.0.0.1")
                .hasMessageContaining("could not be verified")
                .satisfies(e -> assertThat(printed(e)).doesNotContain(wrong.password()));
    }

    @Test
    void pgBasebackupRefusesAServerWhoseCertificateNamesAnotherHostAndTheStepSaysWhy() throws Exception {
        Path backups = Files.createDirectories(tmp.resolve("base"));
        BaseBackupStep step = BaseBackupStep.builder()
                .endpoint(verified(wrong))
                .backupDir(backups)
                .binDir(wrong.binaries().binDir())
                .build();

        assertThatThrownBy(() -> step.execute(TestStepContext.of("base-backup", Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("pg_basebackup")
                .hasMessageContaining("server certificate for \"wrong.example\"")
                .hasMessageContaining("does not match host name \"127.0.0.1\"")
                .satisfies(e -> assertThat(printed(e)).doesNotContain(wrong.password()));
        try (Stream<Path> files = Files.list(backups)) {
            assertThat(files.toList()).as("no partial base backup is kept").isEmpty();
        }
    }

    @Test
    void pgDumpRefusesAServerWhoseCertificateNamesAnotherHost() {
        PostgresEndpoint db = verified(wrong);

        PgTool.Result dump = pgDump(db, wrong);

        assertThat(dump.succeeded()).isFalse();
        assertThat(dump.stderr())
                .contains("server certificate for \"wrong.example\"", "does not match host name \"127.0.0.1\"")
                .doesNotContain(wrong.password());
    }

    @Test
    void theJournalAndTheRunLockConnectThroughTheEndpointsVerifiedTls() {
        PostgresJournal journal = PostgresJournal.open(verified(right), "tls_journal");
        assertThat(journal.unfinishedRuns()).isEmpty();
        PostgresRunLock.open(verified(right), "tls_lock");

        assertThatThrownBy(() -> PostgresJournal.builder(verified(wrong))
                        .retryFor(Duration.ZERO)
                        .build())
                .isInstanceOf(RollbackException.class)
                .satisfies(e ->
                        assertThat(printed(e)).contains("could not be verified").doesNotContain(wrong.password()));
    }

    @Test
    void withoutARootCertificateBothTrustOnlyTheJvmsRootsAndRefuseAPrivateAuthority() {
        PostgresEndpoint db =
                endpoint(right).sslMode(PostgresSslMode.VERIFY_FULL).build();

        assertThatThrownBy(db::connect)
                .isInstanceOf(SQLException.class)
                .hasStackTraceContaining("PKIX path building failed");
        PgTool.Result dump = pgDump(db, right);
        assertThat(dump.succeeded()).isFalse();
        assertThat(dump.stderr()).contains("certificate verify failed");
    }

    private static PgTool.Result pgDump(PostgresEndpoint db, PostgresServer server) {
        return PgTool.run(
                "pg_dump of " + db.describe(),
                List.of(
                        server.binaries().binDir().resolve("pg_dump").toString(),
                        "--host=" + db.host(),
                        "--port=" + db.port(),
                        "--username=" + db.user(),
                        "--no-password",
                        "--schema-only",
                        db.database()),
                Optional.of(db),
                Map.of(),
                Duration.ofSeconds(30));
    }

    private static String printed(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out + " " + e;
    }
}
