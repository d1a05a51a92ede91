package dev.rollback.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.SecretCanaries;
import dev.rollback.testkit.kubernetes.KubernetesFault;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The fault model (docs/fault-model.md), Security: a kubeconfig's bearer token never shows in a report, an exception message, a
 * log (fabric8 at DEBUG included) or a command line, in a run that succeeds and in one the API server
 * refuses with 401.
 */
class KubernetesSecretsIT {
    private static final Path LOG = Path.of(System.getProperty("user.dir"), "target", "provider-kubernetes-tests.log");
    private static SecretCanaries canaries;
    private static CanaryScanner scanner;
    private static MockCluster cluster;

    @BeforeAll
    static void start() {
        SecretCanaries generated = SecretCanaries.generate();
        // the OAuth-secret canary is the kubeconfig's bearer token
        canaries = generated;
        scanner = CanaryScanner.of(canaries);
        cluster = MockCluster.start(canaries.oauthSecret());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor =
                RollbackExecutor.builder().listener(new Slf4jRollbackListener()).build()) {
            return executor.run(plan, RunRequest.drill("ci"));
        }
    }

    @Test
    void theTokenIsLiveInTheKubeconfigAndNeverLeavesIt() {
        assertThat(scanner.scan(cluster.kubeconfig))
                .as("the canary is the kubeconfig's token, so a scan would find it where it leaked")
                .isNotEmpty();
        String ns = cluster.namespace();
        cluster.seed(ns, "web", 1, "web:v41", "web:v42");

        RollbackReport report = run(RollbackPlan.builder("secrets", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(cluster.rollback
                        .imageRollback()
                        .namespace(ns)
                        .deployment("web")
                        .build())
                .build());

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(scanner.scan("report", JsonReportRenderer.render(report))).isEmpty();
        assertThat(scanner.scan(
                        "toString",
                        cluster.rollback + " "
                                + cluster.rollback
                                        .imageRollback()
                                        .namespace(ns)
                                        .deployment("web")
                                        .build()))
                .isEmpty();
        LoggerFactory.getLogger(KubernetesSecretsIT.class).info("scanning the test log for the token");
        assertThat(scanner.scan(LOG)).isEmpty();
        assertThat(scanner.scanCommandLines()).isEmpty();
    }

    @Test
    void aRefusedTokenIsACredentialProblemThatNamesNoToken() {
        String ns = cluster.namespace();
        cluster.seed(ns, "web", 1, "web:v41", "web:v42");
        String path = MockCluster.deploymentPath(ns, "web");
        cluster.server.inject(KubernetesFault.status(401).on("GET", path).times(10));
        ImageRollbackStep step =
                cluster.rollback.imageRollback().namespace(ns).deployment("web").build();

        assertThatThrownBy(() -> step.preflight(TestStepContext.of("image-rollback", Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(RollbackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM);
                    assertThat(e.getMessage()).contains("credential problem").contains("HTTP 401");
                    assertThat(scanner.scan("exception", e.getMessage() + " " + e.getCause()))
                            .isEmpty();
                });
        cluster.server.clearFaults();
        cluster.server.inject(KubernetesFault.status(403).on("GET", path).times(10));
        RollbackReport report = run(RollbackPlan.builder("secrets-403", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(step)
                .build());
        assertThat(report.step("image-rollback").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("credential problem"));
        assertThat(report.step("image-rollback").orElseThrow().attempts()).hasSize(1);
        assertThat(scanner.scan("report", JsonReportRenderer.render(report))).isEmpty();
        LoggerFactory.getLogger(KubernetesSecretsIT.class).info("scanning the test log for the token");
        assertThat(scanner.scan(LOG)).isEmpty();
        cluster.server.clearFaults();
    }
}
