package dev.rollback.examples.drill;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.spi.Notifier;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.AuthenticationRollback;
import dev.rollback.integrations.EmailDomainAllowList;
import dev.rollback.integrations.FileConfigStore;
import dev.rollback.integrations.JdbcConfigStore;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The AdvisorOS security controls as the drill sees them: the application's mode flags and login
 * sessions in PostgreSQL, the security monitoring configuration in files (the primary SIEM and its
 * backup), the two services it restarts, and the monitoring health endpoint, which answers from
 * the configuration really in place; the identity-provider configuration, its backup (the backup
 * Azure AD tenant, whose discovery document a local endpoint serves) and the sign-in allow-list in a
 * {@link JdbcConfigStore}. Builds the runbook's answer to a detected breach: the full system
 * lockdown (maintenance mode, logins closed but for break-glass, sessions revoked, the security team
 * paged), the authentication rollback (the emergency allow-list, the backup tenant, sessions capped
 * at 30 minutes) and the security monitoring rollback to the backup configuration.
 */
final class SecurityEstate implements AutoCloseable {
    private static final String PRIMARY = "{\"alerts\":\"primary-siem\"}";
    private static final String BACKUP = "{\"alerts\":\"backup-siem\"}";
    private static final int SESSIONS = 120;
    private static final Duration T = Duration.ofSeconds(5);
    private static final String DISCOVERY = "/backup-tenant/v2.0/.well-known/openid-configuration";
    private static final String IDP =
            "{\"id\":\"azure-ad\",\"issuer\":\"https://login.microsoftonline.com/prod-tenant/v2.0\","
                    + "\"clientSecret\":\"${secret:azure-ad-client-secret}\",\"session\":{\"maxAge\":86400}}";
    private static final String IDP_BACKUP = "{\"id\":\"azure-ad-backup\","
            + "\"issuer\":\"https://login.microsoftonline.com/backup-tenant/v2.0\","
            + "\"clientSecret\":\"${secret:azure-ad-backup-client-secret}\",\"session\":{\"maxAge\":1800}}";
    private static final EmailDomainAllowList ALLOWED = EmailDomainAllowList.of("advisoros.example");

    private final DataSource db;
    private final Path config;
    private final HttpServer health;
    private final SystemLockdown lockdown;
    private final JdbcConfigStore auth;

    private SecurityEstate(DataSource db, Path work, Notifier pager) throws IOException, SQLException {
        this.db = db;
        sql(
                "CREATE TABLE app_mode (name text PRIMARY KEY, value text NOT NULL, changed_by text, changed_at timestamptz)",
                "INSERT INTO app_mode (name, value) VALUES ('maintenance', 'off'), ('login_policy', 'open')",
                "CREATE TABLE sessions (id bigserial PRIMARY KEY, role text,"
                        + " expires_at timestamptz NOT NULL DEFAULT now() + interval '1 day')",
                "INSERT INTO sessions (role) SELECT 'user' FROM generate_series(1, " + SESSIONS + ")",
                "INSERT INTO sessions (role) VALUES ('break-glass')");
        auth = JdbcConfigStore.builder().dataSource(db).build();
        auth.createTable(T);
        auth.create("auth-idp", IDP, "seed", T);
        auth.create("auth-idp-backup", IDP_BACKUP, "seed", T);
        auth.create("auth-email-allow-list", "# no restriction outside emergencies\n", "seed", T);
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
        health.createContext(DISCOVERY, exchange -> {
            byte[] body = "{\"issuer\":\"https://login.microsoftonline.com/backup-tenant/v2.0\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
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

    /** The runbook's breach response: lockdown, authentication rollback and security monitoring rollback, side by side. */
    RollbackPlan plan() {
        RollbackPlan.Builder plan = RollbackPlan.builder(
                        SystemLockdown.ACTION, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(SystemLockdown.ACTION);
        lockdown.addLockdownFragment(plan);
        AuthenticationRollback.builder()
                .configStore(auth)
                .backupIdpHealth(HealthCheckVerifier.builder()
                        .name("backup-idp-discovery")
                        .url("http://127.0.0.1:" + health.getAddress().getPort() + DISCOVERY)
                        .timeout(Duration.ofSeconds(10))
                        .build())
                .emailAllowList(ALLOWED)
                .sessions(db, "sessions", "expires_at")
                .build()
                .addRunbookFragment(plan);
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

    /** What the security controls look like now; {@code now} is the drill's clock. */
    String whatIsInPlace(Instant now) throws SQLException {
        LoginGate gate = lockdown.loginGate(db);
        String idp = auth.read("auth-idp", T).orElseThrow().content();
        boolean allowListed = EmailDomainAllowList.parseOptional(
                        auth.read("auth-email-allow-list", T).orElseThrow().content())
                .map(list -> list.permits("alice@advisoros.example") && !list.permits("user@evil.com"))
                .orElse(false);
        long beyondCap;
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM sessions WHERE expires_at > ?")) {
            s.setTimestamp(1, Timestamp.from(now.plus(AuthenticationRollback.EMERGENCY_SESSION_MAX_AGE)));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                beyondCap = rs.getLong(1);
            }
        }
        return "logins for users " + (gate.permits(Set.of("user")) ? "open" : "closed") + ", for break-glass "
                + (gate.permits(Set.of("break-glass")) ? "open" : "closed") + "; "
                + count("SELECT count(*) FROM sessions")
                + " sessions left, " + beyondCap + " of them beyond the 30-minute cap; sign-in through "
                + (idp.contains("backup-tenant") ? "the backup tenant" : "the production tenant")
                + (allowListed ? " for advisoros.example only" : " for any domain")
                + "; monitoring sends to " + read(config.resolve("monitoring.json"));
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
