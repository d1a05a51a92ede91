package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The AI services rollback and its restore end to end: PostgreSQL for flags, queue and configurations, WireMock backups. */
class AiServicesRollbackIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static final Duration T = Duration.ofSeconds(5);
    private static final String OPENAI =
            "{\"endpoint\":\"https://advisoros.openai.azure.com\",\"apiKey\":\"${secret:openai-key}\","
                    + "\"model\":\"gpt-4\"}";
    private static final String OPENAI_BACKUP = "{\"endpoint\":\"https://advisoros-backup.openai.azure.com\","
            + "\"apiKey\":\"${secret:openai-backup-key}\",\"model\":\"gpt-3.5-turbo\"}";
    private static final String DOC_INTEL = "{\"endpoint\":\"https://advisoros.cognitiveservices.azure.com\"}";
    private static final String DOC_INTEL_BACKUP =
            "{\"endpoint\":\"https://advisoros-backup.cognitiveservices.azure.com\"}";

    private static DataSource db;
    private static JdbcConfigStore store;
    private static Endpoints endpoints;

    @BeforeAll
    static void start() {
        db = Databases.fresh(POSTGRES.server(), "ai_services");
        store = JdbcConfigStore.builder().dataSource(db).build();
        store.createTable(T);
        endpoints = new Endpoints()
                .health("/openai/health", 200)
                .health("/docintel/health", 200)
                .health("/docintel/down", 503);
    }

    @AfterAll
    static void stop() {
        endpoints.close();
    }

    @BeforeEach
    void seed() {
        Databases.sql(
                db,
                "DROP TABLE IF EXISTS app_mode",
                "DROP TABLE IF EXISTS ai_processing_jobs",
                "TRUNCATE rollback_config",
                "CREATE TABLE app_mode (name text PRIMARY KEY, value text NOT NULL)",
                "INSERT INTO app_mode VALUES ('manual_processing', 'off'), ('maintenance', 'off')",
                "CREATE TABLE ai_processing_jobs (id bigserial PRIMARY KEY, status text NOT NULL, document text)",
                "INSERT INTO ai_processing_jobs (status, document) SELECT 'PENDING', 'doc-' || g FROM generate_series(1, 300) g",
                "INSERT INTO ai_processing_jobs (status, document) SELECT 'RUNNING', 'doc-r' || g FROM generate_series(1, 4) g");
        store.create("openai", OPENAI, "seed", T);
        store.create("openai-backup", OPENAI_BACKUP, "seed", T);
        store.create("document-intelligence", DOC_INTEL, "seed", T);
        store.create("document-intelligence-backup", DOC_INTEL_BACKUP, "seed", T);
    }

    private static AiServicesRollback.Builder rollback(String docIntelHealth) {
        return AiServicesRollback.builder()
                .dataSource(db)
                .configStore(store)
                .openAiBackupHealth(endpoints.verifier("openai-backup-endpoint", "/openai/health"))
                .documentIntelligenceBackupHealth(
                        endpoints.verifier("document-intelligence-backup-endpoint", docIntelHealth));
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(plan, RunRequest.manual("on-call-engineer"));
        }
    }

    @Test
    void theRunbookSwitchesBothServicesToTheirBackupsAfterParkingTheQueueAndTheRestoreUndoesIt() {
        AiServicesRollback ai = rollback("/docintel/health").build();

        RollbackReport report = run(ai.runbookPlan());

        assertThat(report)
                .succeeded()
                .metRto(AiServicesRollback.COMPONENT)
                .ranExactlyOnce(AiServicesRollback.MANUAL_PROCESSING_ON)
                .ranExactlyOnce(AiServicesRollback.QUEUE_PARK)
                .ranExactlyOnce(AiServicesRollback.OPENAI_CONFIG)
                .ranExactlyOnce(AiServicesRollback.DOCUMENT_INTELLIGENCE_CONFIG);
        assertThat(report).verification("openai-backup-endpoint").passed();
        assertThat(report).verification("document-intelligence-backup-endpoint").passed();
        assertThat(report.step(AiServicesRollback.QUEUE_PARK)
                        .orElseThrow()
                        .startedAt()
                        .orElseThrow())
                .isAfterOrEqualTo(report.step(AiServicesRollback.MANUAL_PROCESSING_ON)
                        .orElseThrow()
                        .finishedAt()
                        .orElseThrow());
        assertThat(report.step(AiServicesRollback.OPENAI_CONFIG)
                        .orElseThrow()
                        .startedAt()
                        .orElseThrow())
                .isAfterOrEqualTo(report.step(AiServicesRollback.QUEUE_PARK)
                        .orElseThrow()
                        .finishedAt()
                        .orElseThrow());
        assertThat(ModeFlagTable.ofDefaults().read(db, ModeFlagTable.MANUAL_PROCESSING, T))
                .contains("on");
        assertThat(report.step(AiServicesRollback.QUEUE_PARK).orElseThrow().evidence())
                .containsEntry(QueueParkStep.MOVED, "300")
                .containsEntry(QueueParkStep.TOTAL_AFTER, "304");
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_processing_jobs WHERE status = 'PARKED'"))
                .isEqualTo(300);
        assertThat(store.read("openai", T).orElseThrow().content()).isEqualTo(OPENAI_BACKUP);
        assertThat(store.read("document-intelligence", T).orElseThrow().content())
                .isEqualTo(DOC_INTEL_BACKUP);

        RollbackReport restore = run(ai.restorePlan());

        assertThat(restore).succeeded();
        assertThat(store.read("openai", T).orElseThrow().content()).isEqualTo(OPENAI);
        assertThat(store.read("document-intelligence", T).orElseThrow().content())
                .isEqualTo(DOC_INTEL);
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_processing_jobs WHERE status = 'PENDING'"))
                .isEqualTo(300);
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_processing_jobs"))
                .isEqualTo(304);
        assertThat(ModeFlagTable.ofDefaults().read(db, ModeFlagTable.MANUAL_PROCESSING, T))
                .contains("off");
    }

    @Test
    void aFailingDocumentIntelligenceBackupLeavesItsConfigurationIntactWhileOpenAiSwitches() {
        RollbackReport report = run(rollback("/docintel/down").build().runbookPlan());

        assertThat(report)
                .hasOutcome(RunOutcome.PARTIAL)
                .stepHasOutcome(AiServicesRollback.OPENAI_CONFIG, StepOutcome.SUCCEEDED)
                .stepHasOutcome(AiServicesRollback.DOCUMENT_INTELLIGENCE_CONFIG, StepOutcome.FAILED);
        assertThat(report.step(AiServicesRollback.DOCUMENT_INTELLIGENCE_CONFIG)
                        .orElseThrow()
                        .reason())
                .hasValueSatisfying(r -> assertThat(r).contains("HTTP 503").contains("was left unchanged"));
        assertThat(store.read("document-intelligence", T).orElseThrow().content())
                .isEqualTo(DOC_INTEL);
        assertThat(store.read("document-intelligence", T).orElseThrow().version())
                .isEqualTo("1");
        assertThat(store.read("openai", T).orElseThrow().content()).isEqualTo(OPENAI_BACKUP);
    }

    @Test
    void aBackupWithoutTheFallbackModelIsRefusedBeforeItsSwitch() {
        RollbackReport report = run(rollback("/docintel/health")
                .fallbackModel("gpt-4o-mini")
                .build()
                .runbookPlan());

        assertThat(report).stepHasOutcome(AiServicesRollback.OPENAI_CONFIG, StepOutcome.FAILED);
        assertThat(report.step(AiServicesRollback.OPENAI_CONFIG).orElseThrow().reason())
                .hasValueSatisfying(
                        r -> assertThat(r)
                                .contains(
                                        "backup configuration 'openai-backup' does not contain the required text 'gpt-4o-mini'"));
        assertThat(store.read("openai", T).orElseThrow().content()).isEqualTo(OPENAI);
    }

    @Test
    void theBuilderRefusesWhatCannotWork() {
        assertThatThrownBy(() -> AiServicesRollback.builder().dataSource(db).build())
                .hasMessageContaining("configStore is required");
        assertThatThrownBy(() -> rollback("/docintel/health")
                        .documentIntelligenceConfig("openai", "x")
                        .build())
                .hasMessageContaining("must have their own configurations");
        assertThatThrownBy(() -> rollback("/docintel/health")
                        .documentIntelligenceBackupHealth(endpoints.verifier("openai-backup-endpoint", "/x"))
                        .build())
                .hasMessageContaining("the two health checks must have their own names");
        assertThatThrownBy(() -> rollback("/docintel/health")
                        .jobStates("PENDING", "PENDING")
                        .build())
                .hasMessageContaining("pending and parked must differ");
        assertThat(AiServicesRollback.RUNBOOK_OBJECTIVES.rto()).isEqualTo(Duration.ofMinutes(5));
    }
}
