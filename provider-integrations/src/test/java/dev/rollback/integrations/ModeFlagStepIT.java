package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
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

class ModeFlagStepIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static DataSource db;

    @BeforeAll
    static void database() {
        db = Databases.fresh(POSTGRES.server(), "mode_flags");
    }

    @BeforeEach
    void seed() {
        Databases.sql(
                db,
                "DROP TABLE IF EXISTS integration_setting",
                "CREATE TABLE integration_setting (id serial PRIMARY KEY, provider text NOT NULL, tenant text,"
                        + " auto_sync boolean NOT NULL, status text NOT NULL, last_synced_at timestamptz)",
                "INSERT INTO integration_setting (provider, tenant, auto_sync, status, last_synced_at) VALUES"
                        + " ('quickbooks', 'a', true, 'ACTIVE', '2025-01-01T11:50:00Z'),"
                        + " ('quickbooks', 'b', true, 'ACTIVE', '2025-01-01T11:52:30Z'),"
                        + " ('xero', 'a', true, 'ACTIVE', '2025-01-01T11:59:00Z')");
    }

    private static ModeFlagStep.Builder autoSyncOff() {
        return ModeFlagStep.builder(db)
                .id("quickbooks-auto-sync-off")
                .component("quickbooks")
                .table("integration_setting")
                .where("provider", "quickbooks")
                .set("auto_sync", false)
                .set("status", "MAINTENANCE");
    }

    private static TestStepContext ctx(RollbackClock clock) {
        return TestStepContext.of("quickbooks-auto-sync-off", Duration.ofSeconds(10), clock);
    }

    @Test
    void setsTheFlagsOnTheMatchingRowsOnlyAndRecordsWhatTheyHeldBefore() {
        ModeFlagStep step = autoSyncOff().build();
        TestStepContext ctx = ctx(RollbackClock.system());

        step.preflight(ctx);
        assertThat(step.tookEffect(ctx)).contains(false);
        step.execute(ctx);

        assertThat(Databases.count(
                        db,
                        "SELECT count(*) FROM integration_setting WHERE provider = 'quickbooks'"
                                + " AND NOT auto_sync AND status = 'MAINTENANCE'"))
                .isEqualTo(2);
        assertThat(Databases.query(db, "SELECT status FROM integration_setting WHERE provider = 'xero'"))
                .isEqualTo("ACTIVE");
        assertThat(ctx.evidence())
                .containsEntry(ModeFlagStep.MATCH, "provider = 'quickbooks'")
                .containsEntry(ModeFlagStep.SET, "auto_sync = false, status = 'MAINTENANCE'")
                .containsEntry(ModeFlagStep.ROWS, "2")
                .containsEntry(ModeFlagStep.CHANGED, "2")
                .containsEntry(ModeFlagStep.BEFORE, "auto_sync = true, status = 'ACTIVE' (2 rows)");
        assertThat(step.tookEffect(ctx)).contains(true);
    }

    @Test
    void aRepeatChangesNothingAndSaysSo() {
        ModeFlagStep step = autoSyncOff().build();
        step.execute(ctx(RollbackClock.system()));
        TestStepContext again = ctx(RollbackClock.system());

        step.execute(again);

        assertThat(again.evidence())
                .containsEntry(ModeFlagStep.CHANGED, "0")
                .containsEntry(ModeFlagStep.BEFORE, "auto_sync = false, status = 'MAINTENANCE' (2 rows)");
    }

    @Test
    void theTimeSinceTheLastSuccessfulSyncIsTheDataLossWindow() {
        ManualClock clock = ManualClock.startingAt(Instant.parse("2025-01-01T12:00:00Z"));
        ModeFlagStep step = autoSyncOff().dataLossWindowSince("last_synced_at").build();
        TestStepContext ctx = ctx(clock);

        step.execute(ctx);

        assertThat(ctx.evidence()).containsEntry(EvidenceKey.DATA_LOSS_WINDOW.name(), "PT7M30S");
    }

    @Test
    void noMatchingRowIsAClearErrorBeforeAnyChange() {
        ModeFlagStep step = autoSyncOff().where("tenant", "nobody").build();
        for (Runnable call : new Runnable[] {
            () -> step.preflight(ctx(RollbackClock.system())), () -> step.execute(ctx(RollbackClock.system()))
        }) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(
                            RollbackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("0 row(s) of integration_setting where provider = 'quickbooks' and tenant ="
                            + " 'nobody', fewer than the 1 required; nothing was changed");
        }
        assertThat(Databases.count(db, "SELECT count(*) FROM integration_setting WHERE status = 'MAINTENANCE'"))
                .isZero();
    }

    @Test
    void aMissingColumnFailsInPreflightNamingIt() {
        ModeFlagStep step = autoSyncOff().set("manual_mode", true).build();
        assertThatThrownBy(() -> step.preflight(ctx(RollbackClock.system())))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("manual_mode");
        assertThat(Databases.count(db, "SELECT count(*) FROM integration_setting WHERE status = 'MAINTENANCE'"))
                .isZero();
    }

    @Test
    void theBuilderRefusesInjectionAndNonsenseNamingFieldAndValue() {
        ModeFlagStep.Builder b = ModeFlagStep.builder(db);
        assertThatThrownBy(() -> b.table("integration_setting; DROP TABLE users"))
                .hasMessageContaining("table")
                .hasMessageContaining("DROP TABLE");
        assertThatThrownBy(() -> b.where("provider = 'x' OR 1=1 --", "q")).hasMessageContaining("column");
        assertThatThrownBy(() -> b.set("status", "A\nB")).hasMessageContaining("one line");
        assertThatThrownBy(() -> b.minRows(0)).hasMessageContaining("minRows").hasMessageContaining("0");
        assertThatThrownBy(() -> b.table("t").set("a", true).build()).hasMessageContaining("where");
        assertThatThrownBy(() -> b.where("a", "x").build()).hasMessageContaining("both matched");
        assertThatThrownBy(() ->
                        ModeFlagStep.builder(db).table("t").where("p", "x").where("p", "y"))
                .hasMessageContaining("names column 'p' twice");
    }
}
