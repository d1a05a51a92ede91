package dev.rollback.examples.drill;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.spi.Notifier;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.FileConfigStore;
import dev.rollback.integrations.LoginGate;
import dev.rollback.integrations.Recipients;
import dev.rollback.integrations.SecurityMonitoringRollback;
import dev.rollback.integrations.SystemLockdown;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The AdvisorOS security controls as the drill sees them: the application's mode flags and login
 * sessions in PostgreSQL, the security monitoring configuration in files (the primary SIEM and its
 * backup), the two services it restarts, and the monitoring health endpoint, which answers from
 * the configuration really in place. Builds the runbook's answer to a detected breach: the full
 * system lockdown (maintenance mode, logins closed but for break-glass, sessions revoked, the
 * security team paged) and the security monitoring rollback to the backup configuration.
 */
final class SecurityEstate implements AutoCloseable {
    private static final String PRIMARY = "{\"alerts\":\"primary-siem\"}";
    private static final String BACKUP = "{\"alerts\":\"backup-siem\"}";
    private static final int SESSIONS = 120;

    private final DataSource db;
    private final Path config;
    private final HttpServer health;
    private final SystemLockdown lockdown;

    private SecurityEstate(DataSource db, Path work, Notifier pager) throws IOException, SQLException {
        this.db = db;
        sql(
                "CREATE TABLE app_mode (name text PRIMARY KEY, value text NOT NULL, changed_by text, changed_at timestamptz)",
                "INSERT INTO app_mode (name, value) VALUES ('maintenance', 'off'), ('login_policy', 'open')",
                "CREATE TABLE sessions (id bigserial PRIMARY KEY, role text)",
                "INSERT INTO sessions (role) SELECT 'user' FROM generate_series(1, " + SESSIONS + ")",
                "INSERT INTO sessions (role) VALUES ('break-glass')");
        config = Files.createDirectories(work.resolve("security-config"));
        Files.writeString(config.resolve("monitoring.json"), PRIMARY);
        Files.writeString(config.resolve("monitoring-backup.json"), BACKUP);
        lockdown = SystemLockdown.builder()
                .dataSource(db)
                .sessions("sessions", "role")
                .notifier(pager)
                .securityTeam(Recipients.of("security-oncall"))
                .build();
        health = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        health.createContext("/security/health", exchange -> {
            boolean ok = BACKUP.equals(read(config.resolve("monitoring.json")));
            byte[] body = (ok ? "backup SIEM receiving" : "no SIEM receiving").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        health.start();
    }

    /** Creates the tables in {@code db} and the configuration files under {@code work}. */
    static SecurityEstate start(DataSource db, Path work, Notifier pager) throws IOException, SQLException {
        return new SecurityEstate(db, work, pager);
    }

    /** The runbook's breach response: lockdown and security monitoring rollback, side by side. */
    RollbackPlan plan() {
        RollbackPlan.Builder plan = RollbackPlan.builder(
                        SystemLockdown.ACTION, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(SystemLockdown.ACTION);
        lockdown.addLockdownFragment(plan);
        SecurityMonitoringRollback.builder()
                .configStore(FileConfigStore.of(config))
                .securityMonitorRestart("echo", "security-monitor restarted")
                .auditLoggerRestart("echo", "audit-logger restarted")
                .restartTimeout(Duration.ofSeconds(20))
                .securityHealth(HealthCheckVerifier.builder()
                        .name("security-health")
                        .url("http://127.0.0.1:" + health.getAddress().getPort() + "/security/health")
                        .timeout(Duration.ofSeconds(10))
                        .build())
                .build()
                .addRunbookFragment(plan);
        return plan.build();
    }

    /** What the security controls look like now. */
    String whatIsInPlace() throws SQLException {
        LoginGate gate = lockdown.loginGate(db);
        return "logins for users " + (gate.permits(Set.of("user")) ? "open" : "closed") + ", for break-glass "
                + (gate.permits(Set.of("break-glass")) ? "open" : "closed") + "; "
                + count("SELECT count(*) FROM sessions")
                + " sessions left; monitoring sends to " + read(config.resolve("monitoring.json"));
    }

    private long count(String query) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        health.stop(0);
    }
}
