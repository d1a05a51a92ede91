package dev.rollback.redis;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.resourcemanager.redis.fluent.RedisClient;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.redis.internal.RedisFailures;
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
import redis.clients.jedis.Jedis;

/** Force reboot through the real Azure SDK against the testkit's control-plane simulator; the "cache" is a local RedisServer. */
class ForceRebootStepIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Tries per request in the provider's pipeline. */
    private static final int TRIES = 4;

    private static final DeadlineAwareRetryPolicy POLICY = DeadlineAwareRetryPolicy.builder()
            .retry(RetrySettings.custom()
                    .maxAttempts(TRIES)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .jitter(0)
                    .build())
            .build();
    private static AzureControlPlaneSimulator azure;
    private static AzureRedisControlPlane controlPlane;
    /** An independent SDK client that reads the cache after a run. */
    private static RedisClient sdk;

    private String cache;

    @BeforeAll
    static void simulator() {
        azure = AzureControlPlaneSimulator.builder().start();
        controlPlane = AzureRedisControlPlane.ofRedisManager(AzureSimulatorClients.resourceManager(azure, POLICY)
                .redisCaches()
                .manager());
        sdk = AzureSimulatorClients.resourceManager(azure)
                .redisCaches()
                .manager()
                .serviceClient()
                .getRedis();
    }

    /** The server's run id now, read on the data plane. */
    private static String runIdNow() {
        try (Jedis jedis = Servers.client(REDIS.server())) {
            return RedisFailures.infoField(jedis.info("server"), "run_id");
        }
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
        // The pipeline's 4 tries all get 429; the step then says "transient, Retry-After 1 s" to the executor.
        azure.inject(
                AzureOperation.REDIS_FORCE_REBOOT,
                AzureFault.tooManyRequests(Duration.ofSeconds(1)).times(TRIES));
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
    void a503StormThatOutlastsThePipelinesTriesIsTransientAndNothingIsRebooted() {
        ForceRebootStep step = redis().forceReboot().confirmRestart(false).build();
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.status(503).times(TRIES));

        assertThatThrownBy(() -> step.execute(TestStepContext.of("redis-force-reboot", Duration.ofSeconds(10))))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("force reboot (AllNodes) of Azure Cache for Redis rg1/" + cache)
                .hasMessageContaining("HTTP 503");
        assertThat(reboots().count()).isEqualTo(TRIES);
        assertThat(azure.redisCache("rg1", cache).reboots()).isEmpty();
    }

    @Test
    void aConnectionResetOnTheRebootIsIndeterminateNotTransientAndIsSentOnce() {
        // The pipeline cannot know whether the reset came before Azure acted: the reboot is not sent again.
        ForceRebootStep step = redis().forceReboot().confirmRestart(false).build();
        azure.inject(
                AzureOperation.REDIS_FORCE_REBOOT, AzureFault.connectionReset().times(TRIES));

        assertThatThrownBy(() -> step.execute(TestStepContext.of("redis-force-reboot", Duration.ofSeconds(10))))
                .isInstanceOf(IndeterminateOutcomeException.class)
                .hasMessageContaining("force reboot (AllNodes) of Azure Cache for Redis rg1/" + cache)
                .hasMessageContaining("not sent again");
        assertThat(reboots().count()).isEqualTo(1);
    }

    @Test
    void aRebootWhoseAnswerIsLostAfterAzureAcceptedItIsNotSentAgainAndTheRestartSettlesIt() throws Exception {
        // The fault model's "reset after accept": Azure reboots the cache, the answer never arrives.
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.resetAfterAccepting());
        String runIdBefore = runIdNow();
        Thread azureReboots = restartTheServerWhenAzureReboots();

        RollbackReport report = run(
                plan(redis().forceReboot().pollInterval(Duration.ofMillis(50)).build()));
        azureReboots.join();

        assertThat(report).succeeded().ranExactlyOnce("redis-force-reboot");
        assertThat(reboots().count()).as("the pipeline never sent it again").isEqualTo(1);
        assertThat(azure.redisCache("rg1", cache).reboots()).containsExactly("AllNodes");
        StepReport step = report.step("redis-force-reboot").orElseThrow();
        assertThat(step.evidence())
                .containsEntry(ForceRebootStep.RUN_ID_BEFORE, runIdBefore)
                .containsEntry(ForceRebootStep.RESTART_OBSERVED, "true")
                .doesNotContainKey(ForceRebootStep.ACCEPTED)
                .hasEntrySatisfying(
                        ForceRebootStep.RECONCILED,
                        r -> assertThat(r)
                                .contains("the answer was lost")
                                .contains("after the request was sent")
                                .contains("the reboot took effect"));
        // The report agrees with the cache, read again: it restarted once, and the control plane says Succeeded.
        assertThat(runIdNow()).isNotEqualTo(runIdBefore);
        assertThat(sdk.getByResourceGroup("rg1", cache).provisioningState().toString())
                .isEqualTo(step.evidence().get(ForceRebootStep.PROVISIONING_STATE));
    }

    @Test
    void aRebootWhoseAnswerIsLostAndNoRestartIsSeenEndsForAHumanAndIsNeverSentAgain() {
        // Azure accepted it but the cache has not restarted (yet): nothing tells that it happened.
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.resetAfterAccepting());
        String runIdBefore = runIdNow();
        RollbackPlan plan = RollbackPlan.builder(
                        "redis-reboot", RecoveryObjectives.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .step(
                        redis().forceReboot()
                                .pollInterval(Duration.ofMillis(100))
                                .build(),
                        s -> s.withoutSafeguard(RedisRollback.NO_SAFEGUARD_REASON)
                                .timeout(Duration.ofSeconds(8))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(50))
                                        .build()))
                .build();

        RollbackReport report = run(plan);

        assertThat(report).needsHumanDecision("redis-force-reboot").ranExactlyOnce("redis-force-reboot");
        StepReport step = report.step("redis-force-reboot").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.HUMAN_DECISION_REQUIRED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("may have been accepted")
                        .contains("no restart of")
                        .contains("it was not sent again")
                        .contains("look at the cache before rebooting it again"));
        assertThat(reboots().count()).isEqualTo(1);
        assertThat(runIdNow())
                .as("the report says no restart was seen: none happened")
                .isEqualTo(runIdBefore);
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
