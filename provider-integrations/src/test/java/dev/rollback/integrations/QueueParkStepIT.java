package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.postgres.PostgresServer;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class QueueParkStepIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static DataSource db;

    @BeforeAll
    static void database() {
        db = Databases.fresh(POSTGRES.server(), "queue_park");
    }

    @BeforeEach
    void seed() {
        Databases.sql(
                db,
                "DROP TABLE IF EXISTS ai_jobs",
                "CREATE TABLE ai_jobs (id bigserial PRIMARY KEY, queue text NOT NULL, status text NOT NULL, payload text)",
                // 1,050 pending document jobs, 7 running, 3 done, and 20 pending jobs of another queue
                "INSERT INTO ai_jobs (queue, status, payload) SELECT 'documents', 'PENDING', 'doc-' || g"
                        + " FROM generate_series(1, 1050) g",
                "INSERT INTO ai_jobs (queue, status) SELECT 'documents', 'RUNNING' FROM generate_series(1, 7)",
                "INSERT INTO ai_jobs (queue, status) SELECT 'documents', 'DONE' FROM generate_series(1, 3)",
                "INSERT INTO ai_jobs (queue, status) SELECT 'emails', 'PENDING' FROM generate_series(1, 20)");
    }

    private static QueueParkStep park() {
        return QueueParkStep.builder(db)
                .id("ai-queue-park")
                .component("ai-services")
                .table("ai_jobs")
                .where("queue", "documents")
                .parked("PARKED_BY_ROLLBACK")
                .batchSize(200)
                .build();
    }

    private static TestStepContext ctx() {
        return TestStepContext.of("ai-queue-park", Duration.ofSeconds(20));
    }

    @Test
    void parksEveryPendingJobOfTheQueueInBatchesCountsThemAndDeletesNothing() {
        QueueParkStep step = park();
        TestStepContext ctx = ctx();

        step.preflight(ctx);
        step.execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(QueueParkStep.TOTAL_BEFORE, "1060")
                .containsEntry(QueueParkStep.PENDING_BEFORE, "1050")
                .containsEntry(QueueParkStep.MOVED, "1050")
                .containsEntry(QueueParkStep.PENDING_AFTER, "0")
                .containsEntry(QueueParkStep.PARKED_AFTER, "1050")
                .containsEntry(QueueParkStep.TOTAL_AFTER, "1060")
                .containsEntry(EvidenceKey.RECORDS_LOST.name(), "0");
        assertThat(ctx.progress()).hasSize(7); // six batches of up to 200, then one that finds nothing
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_jobs")).isEqualTo(1080);
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_jobs WHERE status = 'RUNNING'"))
                .isEqualTo(7);
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_jobs WHERE queue = 'emails' AND status = 'PENDING'"))
                .isEqualTo(20);
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_jobs WHERE payload IS NOT NULL"))
                .isEqualTo(1050);
        assertThat(step.tookEffect(ctx())).contains(true);
    }

    @Test
    void unparkGivesBackExactlyWhatWasParked() {
        QueueParkStep step = park();
        step.execute(ctx());
        QueueParkStep unpark = step.unpark();
        assertThat(unpark.id()).isEqualTo("ai-queue-park-unpark");
        assertThat(unpark.tookEffect(ctx())).contains(false);
        TestStepContext ctx = ctx();

        unpark.execute(ctx);

        assertThat(ctx.evidence()).containsEntry(QueueParkStep.MOVED, "1050");
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_jobs WHERE queue = 'documents' AND status = 'PENDING'"))
                .isEqualTo(1050);
        assertThat(unpark.tookEffect(ctx())).contains(true);
        assertThat(unpark.unpark().id()).isEqualTo("ai-queue-park");
    }

    @Test
    void anAbortBetweenBatchesLeavesWholeBatchesAndARepeatFinishesTheRest() {
        QueueParkStep step = park();

        assertThatThrownBy(() -> step.execute(ctx().stopAfterCheckpoints(3)))
                .isInstanceOf(StepInterruptedException.class);
        long parkedSoFar = Databases.count(db, "SELECT count(*) FROM ai_jobs WHERE status = 'PARKED_BY_ROLLBACK'");
        assertThat(parkedSoFar).isEqualTo(400); // the initial checkpoint, then two whole batches
        assertThat(step.tookEffect(ctx())).contains(false);

        TestStepContext again = ctx();
        step.execute(again);

        assertThat(again.evidence()).containsEntry(QueueParkStep.MOVED, "650");
        assertThat(Databases.count(db, "SELECT count(*) FROM ai_jobs WHERE status = 'PARKED_BY_ROLLBACK'"))
                .isEqualTo(1050);
    }

    @Test
    void theBuilderRefusesStatesThatCannotWork() {
        assertThatThrownBy(() -> QueueParkStep.builder(db)
                        .table("ai_jobs")
                        .parked("PENDING")
                        .build())
                .hasMessageContaining("pending and parked must differ");
        assertThatThrownBy(() -> QueueParkStep.builder(db)
                        .table("ai_jobs")
                        .where("status", "x")
                        .build())
                .hasMessageContaining("where must not filter on the status or id column");
        assertThatThrownBy(() -> QueueParkStep.builder(db).batchSize(0)).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> QueueParkStep.builder(db).build()).hasMessageContaining("table is required");
    }
}
