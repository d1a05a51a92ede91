package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.postgres.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SessionRevocationStep and SessionCapStep against a real session table. */
class SessionStepsIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static final Instant NOW = Instant.parse("2025-03-01T09:00:00Z");
    private static DataSource db;

    @BeforeAll
    static void database() {
        db = Databases.fresh(POSTGRES.server(), "sessions");
    }

    @BeforeEach
    void seed() {
        Databases.sql(
                db,
                "DROP TABLE IF EXISTS sessions",
                "CREATE TABLE sessions (id bigserial PRIMARY KEY, user_email text NOT NULL, role text,"
                        + " token text NOT NULL, expires_at timestamptz NOT NULL, revoked_at timestamptz)",
                // 2,500 users' sessions expiring in 8 hours, 3 break-glass responders, 40 sessions expiring in 10
                // minutes
                "INSERT INTO sessions (user_email, role, token, expires_at) SELECT 'user' || g || '@example.com', 'user',"
                        + " md5(g::text), '2025-03-01T17:00:00Z' FROM generate_series(1, 2500) g",
                "INSERT INTO sessions (user_email, role, token, expires_at) SELECT 'oncall' || g || '@example.com',"
                        + " 'break-glass', md5('bg' || g), '2025-03-01T17:00:00Z' FROM generate_series(1, 3) g",
                "INSERT INTO sessions (user_email, role, token, expires_at) SELECT 'soon' || g || '@example.com', NULL,"
                        + " md5('s' || g), '2025-03-01T09:10:00Z' FROM generate_series(1, 40) g");
    }

    private static TestStepContext ctx(String step) {
        return TestStepContext.of(step, Duration.ofSeconds(20), ManualClock.startingAt(NOW));
    }

    @Test
    void revocationDeletesEverySessionButTheKeptRoleInBatches() {
        SessionRevocationStep step = SessionRevocationStep.builder(db)
                .id("revoke-sessions")
                .table("sessions")
                .keep("role", "break-glass")
                .batchSize(1000)
                .build();
        TestStepContext ctx = ctx("revoke-sessions");
        assertThat(step.destructive()).isTrue();

        step.preflight(ctx);
        step.execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(SessionRevocationStep.REVOKED, "2540")
                .containsEntry(SessionRevocationStep.KEPT, "3")
                .containsEntry(SessionRevocationStep.REMAINING, "0");
        assertThat(ctx.progress()).hasSize(4);
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions")).isEqualTo(3);
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE role = 'break-glass'"))
                .isEqualTo(3);
        assertThat(step.tookEffect(ctx)).contains(true);
        assertThat(String.join(" ", ctx.evidence().values()))
                .doesNotContain(Databases.query(db, "SELECT token FROM sessions LIMIT 1"));
    }

    @Test
    void revocationCanMarkInsteadOfDeleteAndARepeatRevokesOnlyNewSessions() {
        SessionRevocationStep step = SessionRevocationStep.builder(db)
                .table("sessions")
                .revokedAtColumn("revoked_at")
                .keep("role", "break-glass")
                .build();
        assertThat(step.destructive()).isFalse();
        step.execute(ctx("session-revocation"));
        Databases.sql(
                db,
                "INSERT INTO sessions (user_email, role, token, expires_at) VALUES ('late@example.com', 'user', 'x',"
                        + " '2025-03-01T17:00:00Z')");
        assertThat(step.tookEffect(ctx("session-revocation"))).contains(false);
        TestStepContext again = ctx("session-revocation");

        step.execute(again);

        assertThat(again.evidence()).containsEntry(SessionRevocationStep.REVOKED, "1");
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions")).isEqualTo(2544);
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE revoked_at = '2025-03-01T09:00:00Z'"))
                .isEqualTo(2541);
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE revoked_at IS NULL"))
                .isEqualTo(3);
    }

    @Test
    void revocationOfOneFilterLeavesTheOtherRowsAlone() {
        SessionRevocationStep step = SessionRevocationStep.builder(db)
                .table("sessions")
                .where("user_email", "user7@example.com")
                .build();
        TestStepContext ctx = ctx("session-revocation");
        step.execute(ctx);
        assertThat(ctx.evidence()).containsEntry(SessionRevocationStep.REVOKED, "1");
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions")).isEqualTo(2542);
    }

    @Test
    void theCapShortensLongSessionsToThirtyMinutesFromNowAndNeverExtendsOne() {
        SessionCapStep step = SessionCapStep.builder(db)
                .id("cap-sessions")
                .table("sessions")
                .maxAge(Duration.ofMinutes(30))
                .build();
        TestStepContext ctx = ctx("cap-sessions");
        assertThat(step.tookEffect(ctx)).contains(false);

        step.execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(SessionCapStep.CAPPED, "2503")
                .containsEntry(SessionCapStep.CAP_AT, "2025-03-01T09:30:00Z");
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE expires_at = '2025-03-01T09:30:00Z'"))
                .isEqualTo(2503);
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE expires_at = '2025-03-01T09:10:00Z'"))
                .isEqualTo(40);
        assertThat(step.tookEffect(ctx)).contains(true);

        ManualClock later = ManualClock.startingAt(NOW.plus(Duration.ofMinutes(5)));
        TestStepContext again = TestStepContext.of("cap-sessions", Duration.ofSeconds(20), later);
        step.execute(again);
        assertThat(again.evidence()).containsEntry(SessionCapStep.CAPPED, "0");
        assertThat(Databases.query(db, "SELECT max(expires_at) = '2025-03-01T09:30:00Z' FROM sessions"))
                .isEqualTo("t");
    }

    @Test
    void buildersRefuseBadInput() {
        assertThatThrownBy(() -> SessionCapStep.builder(db).table("sessions").build())
                .hasMessageContaining("maxAge is required");
        assertThatThrownBy(() -> SessionCapStep.builder(db).maxAge(Duration.ofDays(31)))
                .hasMessageContaining("maxAge")
                .hasMessageContaining("PT744H");
        assertThatThrownBy(() -> SessionRevocationStep.builder(db).revokedAtColumn("revoked at"))
                .hasMessageContaining("revokedAtColumn");
        assertThatThrownBy(() -> SessionRevocationStep.builder(db).build()).hasMessageContaining("table is required");
    }
}
