package dev.rollback.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** The actuator endpoint: what it shows of a live run, its abort, and that the abort exists only when granted. */
class RollbackEndpointTest {
    @TempDir
    Path temp;

    private WebApplicationContextRunner runner() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        EndpointAutoConfiguration.class,
                        WebEndpointAutoConfiguration.class,
                        RollbackAutoConfiguration.class,
                        RollbackEndpointAutoConfiguration.class))
                .withPropertyValues(
                        "rollback.journal.directory=" + temp.resolve("rollback"),
                        "management.endpoints.web.exposure.include=rollback");
    }

    @Test
    void byDefaultTheEndpointIsReadOnlyAndHasNoAbortOperation() {
        runner().run(context -> assertThat(operationTypes(context.getBean(WebEndpointsSupplier.class)))
                .containsOnly(OperationType.READ));
    }

    @Test
    void grantedUnrestrictedAccessTheEndpointHasItsAbortOperation() {
        // upper case: a bare context runner lacks the relaxed enum conversion of a SpringApplication (which takes
        // "unrestricted")
        runner().withPropertyValues("management.endpoint.rollback.access=UNRESTRICTED")
                .run(context -> assertThat(operationTypes(context.getBean(WebEndpointsSupplier.class)))
                        .contains(OperationType.READ, OperationType.WRITE));
    }

    @Test
    void showsALiveRunWithItsBudgetLeftAndAbortsItRecordingWhoAndWhy() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        RollbackPlan plan = RollbackPlan.builder("slow-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("drain-queue", "worker")
                        .idempotent(true)
                        .action(ctx -> {
                            started.countDown();
                            new CountDownLatch(1).await(); // until interrupted by the abort
                        })
                        .build())
                .build();
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            RollbackEndpoint endpoint = new RollbackEndpoint(executor, Optional.empty(), Optional.empty());
            RollbackRun run = executor.start(plan, RunRequest.manual("on-call"));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            Map<String, Object> state = endpoint.rollback();
            assertThat(state).containsEntry("triggers", "disabled");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> runs = (List<Map<String, Object>>) state.get("runs");
            assertThat(runs).singleElement().satisfies(r -> {
                assertThat(r).containsEntry("runId", run.runId()).containsEntry("plan", "slow-rollback");
                assertThat(r.get("budgetLeft").toString())
                        .startsWith("{plan=PT")
                        .contains("worker=PT");
            });

            Principal alice = () -> "alice";
            Map<String, Object> aborted = endpoint.abort(run.runId(), "wrong plan", securityContext(alice));
            assertThat(aborted).containsEntry("aborted", true).containsEntry("by", "alice");
            RollbackReport report = run.await(Duration.ofSeconds(10)).orElseThrow();
            assertThat(report.abort()).get().satisfies(a -> {
                assertThat(a.who()).isEqualTo("alice");
                assertThat(a.reason()).isEqualTo("wrong plan");
            });

            assertThat(endpoint.abort(run.runId(), null, SecurityContext.NONE))
                    .containsEntry("aborted", false)
                    .containsEntry("reason", "no live run has this id on this node");
        }
    }

    private static SecurityContext securityContext(Principal principal) {
        return new SecurityContext() {
            @Override
            public Principal getPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return false;
            }
        };
    }

    private static List<OperationType> operationTypes(WebEndpointsSupplier supplier) {
        ExposableWebEndpoint endpoint = supplier.getEndpoints().stream()
                .filter(e -> e.getEndpointId().toString().equals("rollback"))
                .findFirst()
                .orElseThrow();
        return endpoint.getOperations().stream().map(WebOperation::getType).toList();
    }
}
