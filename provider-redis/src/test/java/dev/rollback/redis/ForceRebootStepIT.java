package dev.rollback.redis;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.RecordedRequest;
import dev.rollback.testkit.azure.RecordedRequests;
import dev.rollback.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Force reboot through the real Azure SDK against the testkit's control-plane simulator; the "cache" is a local RedisServer. */
class ForceRebootStepIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static AzureControlPlaneSimulator azure;
    private static AzureRedisControlPlane controlPlane;
    private String cache;

    @BeforeAll
    static void simulator() {
        azure = AzureControlPlaneSimulator.builder().start();
        controlPlane = AzureRedisControlPlane.ofRedisManager(
                AzureSimulatorClients.resourceManager(azure).redisCaches().manager());
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void cache() {
        cache = "cache-" + COUNTER.incrementAndGet();
        azure.redisCache("rg1", cache).provisioningState("Succeeded");
        azure.clearFaults();
        azure.resetRequests();
    }

    private RedisRollback redis() {
        return Servers.redis(REDIS.server()).withAzureCache(controlPlane, "rg1", cache);
    }

    private RecordedRequests reboots() {
        return azure.requests().forOperation(AzureOperation.REDIS_FORCE_REBOOT);
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(plan, RunRequest.drill("ci"));
        }
    }

    private static RollbackPlan plan(ForceRebootStep step) {
        return RollbackPlan.builder("redis-reboot", RecoveryObjectives.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .step(
                        step,
                        s -> s.withoutSafeguard(RedisRollback.NO_SAFEGUARD_REASON)
                                .timeout(Duration.ofSeconds(30))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(50))
                                        .build()))
                .build();
    }

    /** The simulator only records the reboot; this thread plays Azure's part on the data plane. */
    private Thread restartTheServerWhenAzureReboots() {
        Thread azureReboots = new Thread(() -> {
            try {
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (azure.redisCache("rg1", cache).reboots().isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                Thread.sleep(300);
                REDIS.server().crash();
                Thread.sleep(300);
                REDIS.server().start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        azureReboots.start();
        return azureReboots;
    }

    @Test
    void rebootsAllNodesAndWaitsUntilTheRestartedCacheAnswersPing() throws Exception {
        Thread azureReboots = restartTheServerWhenAzureReboots();
        ForceRebootStep step =
                redis().forceReboot().pollInterval(Duration.ofMillis(50)).build();
        TestStepContext context = TestStepContext.of("redis-force-reboot", Duration.ofSeconds(30));

        step.preflight(context);
        step.execute(context);
        azureReboots.join();

        assertThat(reboots().count()).isEqualTo(1);
        RecordedRequest post = reboots().last();
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.path())
                .endsWith("/resourceGroups/rg1/providers/Microsoft.Cache/redis/" + cache + "/forceReboot");
        assertThat(post.body()).contains("\"rebootType\":\"AllNodes\"");
        assertThat(post.queryParameter("api-version")).contains("2024-11-01");
        assertThat(azure.redisCache("rg1", cache).reboots()).containsExactly("AllNodes");
        assertThat(context.evidence())
                .containsEntry(ForceRebootStep.PROVISIONING_STATE, "Succeeded")
                .containsEntry(ForceRebootStep.TYPE, "AllNodes")
                .containsEntry(ForceRebootStep.RESTART_OBSERVED, "true")
                .containsKey(ForceRebootStep.SERVING_AFTER_MS);
        assertThat(REDIS.server().isRunning()).isTrue();
    }

    @Test
    void aSecondaryNodeRebootNeedsOnlyAPing() throws Exception {
        ForceRebootStep step =
                redis().forceReboot().type(RebootType.SECONDARY_NODE).build();
        assertThat(step.confirmRestart()).isFalse();
        TestStepContext context = TestStepContext.of("redis-force-reboot", Duration.ofSeconds(10));
        step.execute(context);
        assertThat(reboots().last().body()).contains("\"rebootType\":\"SecondaryNode\"");
        assertThat(context.evidence()).containsEntry(ForceRebootStep.RESTART_OBSERVED, "false");
    }

    @Test
    void aThrottledRebootWaitsForRetryAfterAndThenSucceeds() {
        // The SDK's own retries (1 + 3) all get 429; the step then says "transient, Retry-After 1 s" to the executor.
        azure.inject(
                AzureOperation.REDIS_FORCE_REBOOT,
                AzureFault.tooManyRequests(Duration.ofSeconds(1)).times(4));
        RollbackReport report =
                run(plan(redis().forceReboot().confirmRestart(false).build()));

        assertThat(report).succeeded();
        StepReport step = report.step("redis-force-reboot").orElseThrow();
        assertThat(step.attempts()).hasSize(2);
        Attempt first = step.attempts().get(0);
        Attempt second = step.attempts().get(1);
        assertThat(first.failure()).hasValueSatisfying(f -> assertThat(f).contains("HTTP 429"));
        assertThat(Duration.between(first.startedAt().plus(first.duration()), second.startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(reboots().all()).extracting(RecordedRequest::status).containsExactly(429, 429, 429, 429, 200);
        assertThat(azure.redisCache("rg1", cache).reboots()).containsExactly("AllNodes");
    }

    @Test
    void a401IsACredentialProblemThatIsNotRetriedAndDoesNotShowTheCredential() {
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.status(401).times(5));
        ForceRebootStep step = redis().forceReboot().confirmRestart(false).build();

        assertThatThrownBy(() -> step.execute(TestStepContext.of("redis-force-reboot", Duration.ofSeconds(10))))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM))
                .hasMessageContaining("credential problem")
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining(AzureSimulatorClients.ACCESS_TOKEN);

        azure.resetRequests();
        RollbackReport report = run(plan(step));
        StepReport failed = report.step("redis-force-reboot").orElseThrow();
        assertThat(failed.attempts()).hasSize(1);
        assertThat(failed.reason()).hasValueSatisfying(r -> assertThat(r).contains("credential problem"));
        assertThat(JsonReportRenderer.render(report)).doesNotContain(AzureSimulatorClients.ACCESS_TOKEN);
        assertThat(reboots().count()).isEqualTo(1);
        assertThat(azure.redisCache("rg1", cache).reboots()).isEmpty();
    }

    @Test
    void aResetOrA503StormThatOutlastsTheSdksRetriesIsTransientAndNothingIsRebooted() {
        ForceRebootStep step = redis().forceReboot().confirmRestart(false).build();
        azure.inject(
                AzureOperation.REDIS_FORCE_REBOOT, AzureFault.connectionReset().times(4));
        assertThatThrownBy(() -> step.execute(TestStepContext.of("redis-force-reboot", Duration.ofSeconds(10))))
                .isInstanceOfSatisfying(
                        TransientFailureException.class,
                        e -> assertThat(e.retryAfter()).isEmpty())
                .hasMessageContaining("force reboot (AllNodes) of Azure Cache for Redis rg1/" + cache);

        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.status(503).times(4));
        assertThatThrownBy(() -> step.execute(TestStepContext.of("redis-force-reboot", Duration.ofSeconds(10))))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("HTTP 503");
        assertThat(azure.redisCache("rg1", cache).reboots()).isEmpty();
    }

    @Test
    void aRetryAfterGivenAsAnHttpDateIsHonouredToo() {
        azure.inject(
                AzureOperation.REDIS_FORCE_REBOOT,
                AzureFault.tooManyRequestsUntilDate(Duration.ofSeconds(2)).times(4));
        assertThatThrownBy(() -> redis().forceReboot()
                        .confirmRestart(false)
                        .build()
                        .execute(TestStepContext.of("redis-force-reboot", Duration.ofSeconds(30))))
                .isInstanceOfSatisfying(
                        TransientFailureException.class,
                        e -> assertThat(e.retryAfter())
                                .hasValueSatisfying(
                                        d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofSeconds(2))));
    }

    @Test
    void theRunbookFragmentChecksHealthRebootsAllNodesAndVerifies() throws Exception {
        Thread azureReboots = restartTheServerWhenAzureReboots();
        RollbackReport report = run(redis().runbookPlan(RedisRollback.Recovery.FORCE_REBOOT));
        azureReboots.join();

        assertThat(report)
                .succeeded()
                .metRto("redis")
                .ranExactlyOnce("redis-force-reboot")
                .verification("redis-verify")
                .passed();
        assertThat(report.step("redis-health").orElseThrow().evidence()).containsEntry("health.passed", "true");
        assertThat(report.step("redis-force-reboot").orElseThrow().evidence())
                .containsEntry(ForceRebootStep.PROVISIONING_STATE, "Succeeded")
                .containsEntry(ForceRebootStep.RESTART_OBSERVED, "true");
        assertThat(azure.redisCache("rg1", cache).reboots()).containsExactly("AllNodes");
    }
}
