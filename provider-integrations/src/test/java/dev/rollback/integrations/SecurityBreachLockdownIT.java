package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook's "Security Breach Detected → Full System Lockdown", from the signal to production:
 * the trigger engine's default decision matrix sees the breach, the incident response looks the
 * action up in its catalog and runs {@link SystemLockdown#lockdownPlan()} against real PostgreSQL.
 */
class SecurityBreachLockdownIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static RollbackPlan placeholder(String name) {
        return RollbackPlan.builder(name, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(name)
                .step(RollbackStep.builder(name + "-step", "app")
                        .idempotent(true)
                        .build())
                .build();
    }

    @Test
    void aDetectedBreachLocksTheSystemDownThroughTheIncidentResponse() throws Exception {
        DataSource db = Databases.fresh(POSTGRES.server(), "breach");
        Databases.sql(
                db,
                "CREATE TABLE app_mode (name text PRIMARY KEY, value text NOT NULL, changed_by text, changed_at timestamptz)",
                "INSERT INTO app_mode (name, value) VALUES ('maintenance', 'off'), ('login_policy', 'open')",
                "CREATE TABLE sessions (id bigserial PRIMARY KEY, role text)",
                "INSERT INTO sessions (role) SELECT 'user' FROM generate_series(1, 50)",
                "INSERT INTO sessions (role) VALUES ('break-glass')");
        SystemLockdown lockdown;
        try (Endpoints pager = new Endpoints().webhook("/pager")) {
            lockdown = SystemLockdown.builder()
                    .dataSource(db)
                    .sessions("sessions", "role")
                    .notifier(pager.notifier("security", "/pager"))
                    .securityTeam(Recipients.of("security-oncall"))
                    .build();
            TriggerEngine engine = TriggerEngine.of(DecisionMatrix.ofDefaults());
            try (RollbackExecutor executor = RollbackExecutor.builder()
                            .listener(new Slf4jRollbackListener())
                            .build();
                    IncidentResponse response = IncidentResponse.custom()
                            .catalog(PlanCatalog.forMatrix(engine.matrix())
                                    .map(DecisionMatrix.APPLICATION_ROLLBACK, placeholder("application-rollback"))
                                    .map(DecisionMatrix.DATABASE_FAILOVER, placeholder("database-failover"))
                                    .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, placeholder("point-in-time-recovery"))
                                    .map(SystemLockdown.ACTION, lockdown.lockdownPlan())
                                    .build())
                            .executor(executor)
                            .triggers(engine)
                            .build()) {
                List<Decision> decisions = new CopyOnWriteArrayList<>();
                engine.addListener(decisions::add);
                engine.raiseSecurityBreach("WAF alert 4411: credential stuffing confirmed"); // decides at once
                assertThat(decisions).extracting(Decision::action).containsExactly(SystemLockdown.ACTION);
                assertThat(decisions.get(0).severity()).isEqualTo(SystemLockdown.SEVERITY);
                response.tick();

                IncidentHandle incident = response.incidents().get(0);
                RollbackReport report = incident.run().orElseThrow().await();

                assertThat(report).succeeded().ranExactlyOnce(SystemLockdown.SESSIONS_REVOKED);
                assertThat(report.planName()).isEqualTo(SystemLockdown.PLAN_NAME);
            }
            // the security team was paged; a resend after a slow answer carries the same idempotency key
            assertThat(pager.requests("/pager")).isNotEmpty();
            assertThat(pager.requests("/pager").stream()
                            .map(r -> r.getHeader("Idempotency-Key"))
                            .distinct())
                    .hasSize(1);
        }
        LoginGate gate = lockdown.loginGate(db);
        assertThat(gate.permits(Set.of("user"))).isFalse();
        assertThat(gate.permits(Set.of("break-glass"))).isTrue();
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions")).isEqualTo(1);
        assertThat(Databases.query(db, "SELECT changed_by FROM app_mode WHERE name = 'maintenance'"))
                .startsWith("automatic:trigger:" + DecisionMatrix.SECURITY_BREACH);
    }
}
