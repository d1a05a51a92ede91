package dev.rollback.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.testkit.TestStepContext;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ScaleStep: the replicas set once, waited for, and nothing written when already there. */
class ScaleStepIT {
    private static MockCluster cluster;
    private String ns;

    @BeforeAll
    static void start() {
        cluster = MockCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void namespace() {
        ns = cluster.namespace();
        cluster.server.resetRequests();
    }

    private ScaleStep.Builder scale(int replicas) {
        return cluster.rollback
                .scale()
                .namespace(ns)
                .deployment("advisoros-api")
                .replicas(replicas)
                .pollInterval(Duration.ofMillis(20));
    }

    @Test
    void scalesDownToZeroAndUpAgainWaitingForTheReplicasAndWritesOnlyWhenNeeded() throws Exception {
        cluster.seed(ns, "advisoros-api", 3, "api:v2");
        TestStepContext ctx = TestStepContext.of("scale", Duration.ofSeconds(20));

        scale(0).build().execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(ScaleStep.BEFORE, "3")
                .containsEntry(ScaleStep.AFTER, "0")
                .containsEntry(ScaleStep.CHANGED, "true");
        assertThat(cluster.get(ns, "advisoros-api").getStatus().getReplicas()).isZero();
        assertThat(scale(0).build().tookEffect(ctx)).contains(true);

        TestStepContext again = TestStepContext.of("scale", Duration.ofSeconds(20));
        scale(0).build().execute(again);
        assertThat(again.evidence()).containsEntry(ScaleStep.CHANGED, "false");
        assertThat(cluster.writes("/deployments/advisoros-api")).hasSize(1);

        TestStepContext up = TestStepContext.of("scale", Duration.ofSeconds(20));
        cluster.server.controller().readyInterval(Duration.ofMillis(300)); // slow enough to be seen
        try {
            scale(2).build().execute(up);
        } finally {
            cluster.server.controller().readyInterval(Duration.ofMillis(30));
        }
        assertThat(cluster.get(ns, "advisoros-api").getStatus().getAvailableReplicas())
                .isEqualTo(2);
        assertThat(up.progress()).anySatisfy(p -> assertThat(p).contains("1 available"));
    }

    @Test
    void aScaleUpThatNeverBecomesAvailableFailsBeforeTheDeadlineWithTheCounts() {
        cluster.seed(ns, "advisoros-api", 1, "api:v2");
        cluster.server.controller().stall(ns, "advisoros-api", 1);
        TestStepContext ctx = TestStepContext.of("scale", Duration.ofSeconds(2));

        assertThatThrownBy(() -> scale(3).build().execute(ctx)).isInstanceOfSatisfying(RollbackException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.STEP_TIMED_OUT);
            assertThat(e.getMessage()).contains("3 replicas, 1 available, 3 wanted");
        });
        cluster.server.controller().heal(ns, "advisoros-api");
    }

    @Test
    void aMissingDeploymentOrNamespaceIsNamedBeforeAnyWrite() {
        TestStepContext ctx = TestStepContext.of("scale", Duration.ofSeconds(5));
        assertThatThrownBy(() -> scale(0).build().preflight(ctx))
                .hasMessageContaining("deployment 'advisoros-api' does not exist in namespace '" + ns + "'");
        assertThatThrownBy(() -> cluster.rollback
                        .scale()
                        .namespace("nowhere")
                        .deployment("x")
                        .replicas(0)
                        .build()
                        .preflight(ctx))
                .hasMessageContaining("namespace 'nowhere' does not exist");
        assertThat(cluster.writes("")).isEmpty();
    }
}
