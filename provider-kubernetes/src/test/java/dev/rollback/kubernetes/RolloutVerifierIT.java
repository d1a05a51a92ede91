package dev.rollback.kubernetes;

import static dev.rollback.kubernetes.MockCluster.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Verification;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.testkit.TestStepContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RolloutVerifier against deployments the test controller rolls out, stalls or fails. */
class RolloutVerifierIT {
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
    }

    private RolloutVerifier verifier() {
        return cluster.rollback
                .rolloutVerifier()
                .namespace(ns)
                .deployment("api")
                .pollInterval(Duration.ofMillis(20))
                .build();
    }

    private void startRollout(int replicas) {
        cluster.client()
                .apps()
                .deployments()
                .inNamespace(ns)
                .resource(MockCluster.deployment(ns, "api", Map.of("app", "api"), "api:v1", replicas))
                .create();
    }

    private void awaitReady(int ready) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            var d = cluster.get(ns, "api");
            if (d != null
                    && d.getStatus() != null
                    && Integer.valueOf(ready).equals(d.getStatus().getReadyReplicas())) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("api never had " + ready + " ready replicas");
    }

    @Test
    void passesOnceEveryReplicaIsAvailableAndReportsProgressAsReplicasBecomeReady() throws Exception {
        startRollout(4);
        TestStepContext ctx = TestStepContext.of("rollout", Duration.ofSeconds(20));

        Verification v = verifier().verify(ctx);

        assertThat(v.passed()).as(v.observed()).isTrue();
        assertThat(v.details())
                .containsEntry("updated", "4")
                .containsEntry("available", "4")
                .containsEntry("progressing", "NewReplicaSetAvailable");
        assertThat(ctx.progress())
                .anySatisfy(p -> assertThat(p).contains("1/4 ready"))
                .anySatisfy(p -> assertThat(p).contains("3/4 ready"))
                .last()
                .satisfies(p -> assertThat(p).contains("4/4 available"));
    }

    @Test
    void aRolloutThatStopsMovingIsCaughtByTheStallTimeoutWithItsCounts() {
        cluster.server.controller().stall(ns, "api", 1);
        startRollout(3);
        awaitReady(1);
        RollbackReport report = run(RollbackPlan.builder("stalled", KubernetesRollback.API_SERVER_OBJECTIVES)
                .step(
                        verifier().asStep("api-rollout", KubernetesRollback.API_SERVER),
                        s -> s.timeout(Duration.ofSeconds(60))
                                .stallTimeout(Duration.ofMillis(800))
                                .retry(RetrySettings.none()))
                .build());

        StepReport step = report.step("api-rollout").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r).contains("stalled").contains("1/3 ready"));
        assertThat(step.attempts().get(0).duration()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aRolloutThatNeverCompletesFailsBeforeTheDeadlineWithTheReplicaCountsAsEvidence() {
        cluster.server.controller().stall(ns, "api", 2);
        startRollout(3);
        awaitReady(2); // the stalled state, whatever the machine's load
        RollbackReport report = run(RollbackPlan.builder("never", KubernetesRollback.API_SERVER_OBJECTIVES)
                .step(
                        verifier().asStep("api-rollout", KubernetesRollback.API_SERVER),
                        s -> s.timeout(Duration.ofSeconds(2)).retry(RetrySettings.none()))
                .build());

        StepReport step = report.step("api-rollout").orElseThrow();
        // it ends itself just before the deadline (FAILED, naming the counts); on a machine so loaded that a read
        // outlasts its margin the executor stops it at the deadline (TIMED_OUT): the counts are evidence either way
        assertThat(step.outcome()).isIn(StepOutcome.FAILED, StepOutcome.TIMED_OUT);
        if (step.outcome() == StepOutcome.FAILED) {
            assertThat(step.reason())
                    .hasValueSatisfying(
                            r -> assertThat(r).contains("not rolled out with").contains("2/3 ready"));
        }
        assertThat(step.attempts().get(0).duration()).isLessThan(Duration.ofSeconds(3));
        assertThat(step.evidence())
                .containsEntry("rollout.desired", "3")
                .containsEntry("rollout.updated", "3")
                .containsEntry("rollout.ready", "2")
                .containsEntry("rollout.available", "2");
    }

    @Test
    void aRolloutPastItsProgressDeadlineFailsAtOnce() throws Exception {
        cluster.server.controller().fail(ns, "api");
        startRollout(2);
        TestStepContext ctx = TestStepContext.of("rollout", Duration.ofSeconds(30));

        long started = System.nanoTime();
        Verification v = verifier().verify(ctx);

        assertThat(v.passed()).isFalse();
        assertThat(v.observed()).contains("exceeded its progress deadline").contains("0/2 ready");
        assertThat(v.details()).containsEntry("progressing", "ProgressDeadlineExceeded");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }
}
