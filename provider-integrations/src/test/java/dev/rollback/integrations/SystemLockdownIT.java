package dev.rollback.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The full system lockdown from the security-breach trigger's decision, and the recorded unlock, against PostgreSQL and a WireMock pager. */
class SystemLockdownIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static DataSource db;
    private static Endpoints endpoints;

    @BeforeAll
    static void start() {
        db = Databases.fresh(POSTGRES.server(), "lockdown");
        endpoints = new Endpoints().webhook("/pager/security");
    }

    @AfterAll
    static void stop() {
        endpoints.close();
    }

    @BeforeEach
    void seed() {
        endpoints.server().resetRequests();
        Databases.sql(
                db,
                "DROP TABLE IF EXISTS app_mode",
                "DROP TABLE IF EXISTS sessions",
                "CREATE TABLE app_mode (name text PRIMARY KEY, value text NOT NULL, changed_by text, changed_at timestamptz)",
                "INSERT INTO app_mode (name, value) VALUES ('maintenance', 'off'), ('login_policy', 'open'),"
                        + " ('manual_processing', 'off')",
                "CREATE TABLE sessions (id bigserial PRIMARY KEY, user_email text NOT NULL, role text,"
                        + " expires_at timestamptz NOT NULL, revoked_at timestamptz)",
                "INSERT INTO sessions (user_email, role, expires_at) SELECT 'user' || g || '@firm.example',"
                        + " CASE WHEN g % 10 = 0 THEN 'admin' ELSE 'user' END, now() + interval '8 hours'"
                        + " FROM generate_series(1, 1200) g",
                "INSERT INTO sessions (user_email, role, expires_at) VALUES"
                        + " ('responder1@firm.example', 'break-glass', now() + interval '1 hour'),"
                        + " ('responder2@firm.example', 'break-glass', now() + interval '1 hour'),"
                        + " ('norole@firm.example', NULL, now() + interval '1 hour')");
    }

    private static SystemLockdown lockdown() {
        return SystemLockdown.builder()
                .dataSource(db)
                .sessions("sessions", "role")
                .markRevokedIn("revoked_at")
                .notifier(endpoints.notifier("security", "/pager/security"))
                .securityTeam(Recipients.of("security-oncall", "security-officer@firm.example"))
                .build();
    }

    private static Decision securityBreach() {
        Instant now = Instant.now();
        return new Decision(
                SystemLockdown.ACTION,
                Decision.Kind.ROLLBACK,
                SystemLockdown.SEVERITY,
                DecisionMatrix.SECURITY_BREACH,
                1,
                1,
                "count",
                "security breach detected",
                now.minusSeconds(5),
                now);
    }

    @Test
    void theSecurityBreachDecisionLocksTheSystemDownAndAPersonUnlocksItOnRecord() {
        SystemLockdown lockdown = lockdown();
        LoginGate gate = lockdown.loginGate(db);
        assertThat(gate.permits(Set.of("user"))).isTrue();

        RollbackReport locked;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            locked = executor.run(lockdown.lockdownPlan(), RunRequest.automatic(securityBreach()));
        }

        assertThat(locked)
                .succeeded()
                .metRto(SystemLockdown.COMPONENT)
                .ranExactlyOnce(SystemLockdown.LOGINS_RESTRICTED)
                .ranExactlyOnce(SystemLockdown.MAINTENANCE_ON)
                .ranExactlyOnce(SystemLockdown.SESSIONS_REVOKED)
                .ranExactlyOnce(SystemLockdown.SECURITY_TEAM_NOTIFIED);
        assertThat(locked.step(SystemLockdown.SESSIONS_REVOKED)
                        .orElseThrow()
                        .startedAt()
                        .orElseThrow())
                .isAfterOrEqualTo(locked.step(SystemLockdown.LOGINS_RESTRICTED)
                        .orElseThrow()
                        .finishedAt()
                        .orElseThrow());
        // logins refused except the break-glass role
        assertThat(gate.permits(Set.of("user"))).isFalse();
        assertThat(gate.permits(Set.of("admin", "user"))).isFalse();
        assertThat(gate.permits(Set.of())).isFalse();
        assertThat(gate.permits(Set.of("break-glass"))).isTrue();
        assertThat(ModeFlagTable.ofDefaults().read(db, ModeFlagTable.MAINTENANCE, Duration.ofSeconds(5)))
                .contains("on");
        // active sessions revoked, kept for the investigation, except the responders'
        assertThat(locked.step(SystemLockdown.SESSIONS_REVOKED).orElseThrow().evidence())
                .containsEntry(SessionRevocationStep.REVOKED, "1201")
                .containsEntry(SessionRevocationStep.KEPT, "2")
                .containsEntry(SessionRevocationStep.REMAINING, "0");
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE revoked_at IS NULL"))
                .isEqualTo(2);
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions")).isEqualTo(1203);
        // the security team was paged at SEV0
        endpoints
                .server()
                .verify(
                        1,
                        postRequestedFor(urlEqualTo("/pager/security"))
                                .withRequestBody(matchingJsonPath("$.severity", equalTo("SEV0")))
                                .withRequestBody(matchingJsonPath("$.stakeholder", equalTo("security-team"))));
        assertThat(Databases.query(db, "SELECT changed_by FROM app_mode WHERE name = 'login_policy'"))
                .startsWith("automatic:trigger:" + DecisionMatrix.SECURITY_BREACH + " (run " + locked.runId() + ")");

        RollbackReport unlocked;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            unlocked = executor.run(lockdown.unlockPlan(), RunRequest.manual("security-officer"));
        }

        assertThat(unlocked).succeeded();
        assertThat(gate.permits(Set.of("user"))).isTrue();
        assertThat(ModeFlagTable.ofDefaults().read(db, ModeFlagTable.MAINTENANCE, Duration.ofSeconds(5)))
                .contains("off");
        assertThat(Databases.query(db, "SELECT changed_by FROM app_mode WHERE name = 'login_policy'"))
                .isEqualTo("manual:security-officer (run " + unlocked.runId() + ")");
        assertThat(Databases.query(db, "SELECT changed_by FROM app_mode WHERE name = 'maintenance'"))
                .isEqualTo("manual:security-officer (run " + unlocked.runId() + ")");
        assertThat(Databases.query(db, "SELECT changed_at IS NOT NULL FROM app_mode WHERE name = 'maintenance'"))
                .isEqualTo("t");
        assertThat(Databases.query(db, "SELECT changed_by FROM app_mode WHERE name = 'manual_processing'"))
                .isNull();
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE revoked_at IS NULL"))
                .isEqualTo(2);
        endpoints.server().verify(2, postRequestedFor(urlEqualTo("/pager/security")));
    }

    @Test
    void aRepeatedLockdownChangesNothingAndKeepsTheFirstRecord() {
        SystemLockdown lockdown = lockdown();
        RollbackReport first;
        RollbackReport second;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            first = executor.run(lockdown.lockdownPlan(), RunRequest.automatic(securityBreach()));
            second = executor.run(lockdown.lockdownPlan(), RunRequest.manual("security-officer"));
        }

        assertThat(second).succeeded();
        assertThat(second.step(SystemLockdown.LOGINS_RESTRICTED).orElseThrow().evidence())
                .containsEntry(ModeFlagStep.CHANGED, "0");
        assertThat(second.step(SystemLockdown.SESSIONS_REVOKED).orElseThrow().evidence())
                .containsEntry(SessionRevocationStep.REVOKED, "0");
        assertThat(Databases.query(db, "SELECT changed_by FROM app_mode WHERE name = 'login_policy'"))
                .contains("(run " + first.runId() + ")");
    }

    @Test
    void theActionIsTheDecisionMatrixsAndTheBuilderRefusesWhatCannotBeRecorded() {
        assertThat(SystemLockdown.ACTION).isEqualTo(DecisionMatrix.FULL_SYSTEM_LOCKDOWN);
        assertThatThrownBy(() -> SystemLockdown.builder()
                        .dataSource(db)
                        .sessions("sessions", "role")
                        .notifier(endpoints.notifier("security", "/pager/security"))
                        .securityTeam(Recipients.of("security-oncall"))
                        .modeFlags(ModeFlagTable.ofDefaults())
                        .build())
                .hasMessageContaining("modeFlags must record who changed a flag and when");
        assertThatThrownBy(() -> SystemLockdown.builder().breakGlassRole("open"))
                .hasMessageContaining("breakGlassRole must not be 'open'");
        assertThatThrownBy(() -> SystemLockdown.builder().dataSource(db).build())
                .hasMessageContaining("sessions is required");
    }
}
