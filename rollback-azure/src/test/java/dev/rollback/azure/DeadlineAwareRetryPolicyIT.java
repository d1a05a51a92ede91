package dev.rollback.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.appservice.fluent.WebAppsClient;
import com.azure.resourcemanager.appservice.models.CsmSlotEntity;
import com.azure.resourcemanager.redis.fluent.RedisClient;
import com.azure.resourcemanager.redis.models.RebootType;
import com.azure.resourcemanager.redis.models.RedisRebootParameters;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureFault.RetryAfterForm;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The policy in the real SDK's pipeline against the testkit's control-plane simulator: what is sent
 * again and what never is, and that no wait outlives the step's deadline. Redis's force reboot stands
 * for every non-idempotent POST, the Redis GET for every read, a slot swap for every long-running
 * operation.
 */
class DeadlineAwareRetryPolicyIT {
    private static final String RG = "rg1";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final DeadlineAwareRetryPolicy POLICY = DeadlineAwareRetryPolicy.builder()
            .retry(RetrySettings.custom()
                    .maxAttempts(4)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .jitter(0)
                    .build())
            .tryTimeout(Duration.ofSeconds(10))
            .build();
    /** The same with a 1 s try timeout, for answers that come late. */
    private static final DeadlineAwareRetryPolicy SHORT_TRIES = DeadlineAwareRetryPolicy.builder()
            .retry(POLICY.retry())
            .tryTimeout(Duration.ofSeconds(1))
            .build();

    private static AzureControlPlaneSimulator azure;
    private static AzureResourceManager arm;
    private static RedisClient shortTries;
    private String cache;

    @BeforeAll
    static void start() {
        azure = AzureControlPlaneSimulator.builder().start();
        arm = AzureSimulatorClients.resourceManager(azure, POLICY);
        shortTries = AzureSimulatorClients.resourceManager(azure, SHORT_TRIES)
                .redisCaches()
                .manager()
                .serviceClient()
                .getRedis();
        // Warm the simulator and the short-try client up (TLS, class loading on both sides) so that a
        // cold first answer on a busy machine is not mistaken for a slow one in the tests below.
        azure.redisCache(RG, "warm-up");
        arm.redisCaches().manager().serviceClient().getRedis().getByResourceGroup(RG, "warm-up");
        for (int i = 0; i < 5; i++) {
            try {
                shortTries.getByResourceGroup(RG, "warm-up");
                break;
            } catch (RuntimeException coldStart) {
                // a try that timed out while the JVMs warm up; the next one is warm
            }
        }
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void seed() {
        cache = "cache-" + COUNTER.incrementAndGet();
        azure.redisCache(RG, cache);
        azure.clearFaults();
        azure.resetRequests();
    }

    private RedisClient redis() {
        return arm.redisCaches().manager().serviceClient().getRedis();
    }

    private void reboot(AzureCall call) {
        try {
            redis().forceRebootWithResponse(
                            RG,
                            cache,
                            new RedisRebootParameters().withRebootType(RebootType.ALL_NODES),
                            call.context());
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
    }

    private void read(AzureCall call) {
        try {
            redis().getByResourceGroupWithResponse(RG, cache, call.context());
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
    }

    private List<RecordedRequest> requests(AzureOperation operation) {
        return azure.requests().forOperation(operation).all();
    }

    @Test
    void theSdksOwnRetryPolicySendsARebootTwiceWhenTheAnswerIsLost() {
        // The defect this policy exists for: azure-core re-sends a POST after an I/O error.
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.resetAfterAccepting());
        RedisClient sdkDefault = AzureSimulatorClients.resourceManager(azure)
                .redisCaches()
                .manager()
                .serviceClient()
                .getRedis();

        sdkDefault.forceReboot(RG, cache, new RedisRebootParameters().withRebootType(RebootType.ALL_NODES));

        assertThat(azure.redisCache(RG, cache).reboots()).containsExactly("AllNodes", "AllNodes");
    }

    @Test
    void aChangeWhoseAnswerIsLostAfterAzureAcceptedItIsNeverSentAgainAndIsIndeterminate() {
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.resetAfterAccepting());
        AzureCall call =
                AzureCall.change(TestStepContext.of("reboot", Duration.ofSeconds(20)), "force reboot of " + cache);

        assertThatThrownBy(() -> reboot(call))
                .isInstanceOfSatisfying(
                        IndeterminateOutcomeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.OUTCOME_INDETERMINATE))
                .hasMessageStartingWith("force reboot of " + cache + ": POST ")
                .hasMessageContaining("/forceReboot")
                .hasMessageContaining("after the request was sent")
                .hasMessageContaining("not sent again");

        assertThat(requests(AzureOperation.REDIS_FORCE_REBOOT)).hasSize(1);
        assertThat(azure.redisCache(RG, cache).reboots()).containsExactly("AllNodes");
    }

    @Test
    void aChangeRefusedBeforeAnyEffectIsSentAgainAndTakesEffectOnce() {
        // 503 and 429 are refusals: Azure did nothing, so even a reboot may be sent again.
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.status(503).times(2));
        AzureCall call = AzureCall.change(TestStepContext.of("reboot", Duration.ofSeconds(20)), "force reboot");

        reboot(call);

        assertThat(requests(AzureOperation.REDIS_FORCE_REBOOT))
                .extracting(RecordedRequest::status)
                .containsExactly(503, 503, 200);
        assertThat(azure.redisCache(RG, cache).reboots()).containsExactly("AllNodes");
    }

    @Test
    void aReadIsSentAgainAfterAReset() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.connectionReset().times(2));

        read(AzureCall.read(TestStepContext.of("health", Duration.ofSeconds(20)), "reading " + cache));

        assertThat(requests(AzureOperation.REDIS_GET))
                .extracting(RecordedRequest::status)
                .containsExactly(0, 0, 200);
    }

    @ParameterizedTest
    @EnumSource(RetryAfterForm.class)
    void aServerAskedWaitFarBeyondTheBudgetEndsTheCallAtOnceNamingBoth(RetryAfterForm form) {
        azure.inject(
                AzureOperation.REDIS_GET,
                AzureFault.tooManyRequests(Duration.ofHours(1), form).times(10));
        TestStepContext step = TestStepContext.of("health", Duration.ofSeconds(30));
        AzureCall call = AzureCall.read(step, "reading " + cache);

        assertThatThrownBy(() -> read(call))
                .isInstanceOfSatisfying(
                        TransientFailureException.class,
                        e -> assertThat(e.retryAfter())
                                .hasValueSatisfying(wait ->
                                        assertThat(wait).isBetween(Duration.ofMinutes(59), Duration.ofHours(1))))
                .hasMessageContaining("HTTP 429")
                .hasMessageContaining("the server asked to wait PT")
                .hasMessageContaining(
                        switch (form) {
                            case SECONDS -> "(Retry-After: 3600)";
                            case HTTP_DATE -> "(Retry-After: ";
                            case RETRY_AFTER_MS -> "(retry-after-ms: 3600000)";
                            case X_MS_RETRY_AFTER_MS -> "(x-ms-retry-after-ms: 3600000)";
                        })
                .hasMessageContaining("that step 'health' has left before its deadline")
                .hasMessageContaining("not waited for");

        assertThat(requests(AzureOperation.REDIS_GET)).hasSize(1);
        assertThat(step.remaining())
                .as("the call ended at once: nowhere near the hour asked, nor the 30 s budget")
                .isGreaterThan(Duration.ofSeconds(20));
    }

    @Test
    void aServerAskedWaitThatFitsIsWaitedAsAsked() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.tooManyRequests(Duration.ofSeconds(1)));

        read(AzureCall.read(TestStepContext.of("health", Duration.ofSeconds(30)), "reading " + cache));

        List<RecordedRequest> gets = requests(AzureOperation.REDIS_GET);
        assertThat(gets).extracting(RecordedRequest::status).containsExactly(429, 200);
        assertThat(Duration.between(gets.get(0).receivedAt(), gets.get(1).receivedAt()))
                .as("waited the second asked, not the 10 ms backoff")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void a503StormGivesBoundedTriesInsideTheDeadlineAndNothingIsRebooted() {
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.status(503).times(1000));
        TestStepContext step = TestStepContext.of("reboot", Duration.ofSeconds(10));
        AzureCall call = AzureCall.change(step, "force reboot");

        assertThatThrownBy(() -> reboot(call))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("HTTP 503");

        assertThat(requests(AzureOperation.REDIS_FORCE_REBOOT)).hasSize(4);
        assertThat(step.remaining()).isPositive();
        assertThat(azure.redisCache(RG, cache).reboots()).isEmpty();
    }

    @Test
    void aReadSlowerThanTheTryTimeoutIsATimeoutNeverASuccess() {
        // every try answers (correctly) 2 s late, after its 1 s try timeout
        azure.inject(
                AzureOperation.REDIS_GET,
                AzureFault.slowResponse(Duration.ofSeconds(2)).times(4));
        AzureCall call = AzureCall.read(TestStepContext.of("health", Duration.ofSeconds(30)), "reading");

        assertThatThrownBy(() -> {
                    try {
                        shortTries.getByResourceGroupWithResponse(RG, cache, call.context());
                    } catch (RuntimeException e) {
                        throw call.failure(e);
                    }
                })
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("TimeoutException");

        assertThat(eventually(() -> requests(AzureOperation.REDIS_GET).size(), 4))
                .isEqualTo(4);
    }

    @Test
    void aChangeSlowerThanTheTryTimeoutIsIndeterminateAndNotSentAgain() {
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.slowResponse(Duration.ofSeconds(2)));
        AzureCall call = AzureCall.change(TestStepContext.of("reboot", Duration.ofSeconds(30)), "force reboot");

        assertThatThrownBy(() -> {
                    try {
                        shortTries.forceRebootWithResponse(
                                RG,
                                cache,
                                new RedisRebootParameters().withRebootType(RebootType.ALL_NODES),
                                call.context());
                    } catch (RuntimeException e) {
                        throw call.failure(e);
                    }
                })
                .isInstanceOf(IndeterminateOutcomeException.class)
                .hasMessageContaining("no answer within PT1S");

        assertThat(azure.redisCache(RG, cache).reboots())
                .as("the simulator applied it before answering late")
                .containsExactly("AllNodes");
        assertThat(eventually(() -> requests(AzureOperation.REDIS_FORCE_REBOOT).size(), 1))
                .isEqualTo(1);
        assertThat(azure.redisCache(RG, cache).reboots())
                .as("and it was not sent again")
                .hasSize(1);
    }

    /**
     * The value once it reaches {@code expected}, or after 5 s: WireMock journals a request only once
     * its (late) answer went out.
     */
    private static int eventually(IntSupplier value, int expected) {
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int v = value.getAsInt();
        while (v < expected && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return v;
            }
            v = value.getAsInt();
        }
        return v;
    }

    @Test
    void noTryOutlivesWhatTheStepHasLeft() {
        DeadlineAwareRetryPolicy longTries = DeadlineAwareRetryPolicy.builder()
                .tryTimeout(Duration.ofMinutes(1))
                .build();
        RedisClient client = AzureSimulatorClients.resourceManager(azure, longTries)
                .redisCaches()
                .manager()
                .serviceClient()
                .getRedis();
        azure.inject(AzureOperation.REDIS_GET, AzureFault.slowResponse(Duration.ofSeconds(5)));
        TestStepContext step = TestStepContext.of("health", Duration.ofSeconds(1));
        AzureCall call = AzureCall.read(step, "reading " + cache);

        assertThatThrownBy(() -> {
                    try {
                        client.getByResourceGroupWithResponse(RG, cache, call.context());
                    } catch (RuntimeException e) {
                        throw call.failure(e);
                    }
                })
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_TIMED_OUT))
                .hasMessageContaining("the whole time step 'health' had left");
        assertThat(requests(AzureOperation.REDIS_GET)).hasSize(1);
    }

    @Test
    void aCallWhoseStepHasNoTimeLeftIsNotSent() {
        TestStepContext step = TestStepContext.of("health", Duration.ofMillis(1));
        await(step);
        AzureCall call = AzureCall.read(step, "reading " + cache);

        assertThatThrownBy(() -> read(call))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_INTERRUPTED))
                .hasMessageContaining("not sent");
        assertThat(requests(AzureOperation.REDIS_GET)).isEmpty();
    }

    private static void await(TestStepContext step) {
        while (!step.remaining().isZero()) {
            Thread.onSpinWait();
        }
    }

    // ---- long-running operations ----

    private static String seedApp(AzureControlPlaneSimulator simulator) {
        String app = "app-" + COUNTER.incrementAndGet();
        simulator.webApp(RG, app).serving("v42").slot("blue").serving("v41");
        return app;
    }

    private static SyncPoller<PollResult<Void>, Void> beginSwap(
            AzureResourceManager client, String app, AzureCall call) {
        WebAppsClient webApps = client.webApps().manager().serviceClient().getWebApps();
        return webApps.beginSwapSlot(RG, app, "blue", new CsmSlotEntity().withTargetSlot("production"), call.context());
    }

    @Test
    void anOperationIsPolledToItsEndReportingEachAnsweredPoll() {
        String app = seedApp(azure);
        TestStepContext step = TestStepContext.of("swap", Duration.ofSeconds(30));
        AzureCall call = AzureCall.change(step, "swapping blue into production");

        AzureOperations.await(beginSwap(arm, app, call), call, Duration.ofMillis(10), Duration.ZERO);

        assertThat(azure.webApp(RG, app).production().content()).contains("v41");
        assertThat(step.progress())
                .containsExactly(
                        "swapping blue into production: IN_PROGRESS (poll 1)",
                        "swapping blue into production: SUCCESSFULLY_COMPLETED (poll 2)");
    }

    @Test
    void anOperationThatAzureReportsFailedIsADefiniteFailureNamingItsCode() {
        String app = seedApp(azure);
        azure.inject(AzureOperation.SLOT_SWAP, AzureFault.operationFailed("SwapFailed", "Warm-up failed."));
        AzureCall call = AzureCall.change(TestStepContext.of("swap", Duration.ofSeconds(30)), "swapping");

        assertThatThrownBy(() ->
                        AzureOperations.await(beginSwap(arm, app, call), call, Duration.ofMillis(10), Duration.ZERO))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("Azure reports the operation FAILED with SwapFailed: Warm-up failed.");
        assertThat(azure.webApp(RG, app).production().content()).contains("v42");
    }

    @Test
    void pollingStopsAtOnceWhenTheServerAsksForAWaitBeyondTheDeadline() {
        try (AzureControlPlaneSimulator slow = AzureControlPlaneSimulator.builder()
                .inProgressPolls(100)
                .operationRetryAfter(Duration.ofSeconds(60))
                .start()) {
            AzureResourceManager client = AzureSimulatorClients.resourceManager(slow, POLICY);
            String app = seedApp(slow);
            TestStepContext step = TestStepContext.of("swap", Duration.ofSeconds(20));
            AzureCall call = AzureCall.change(step, "swapping blue into production");
            SyncPoller<PollResult<Void>, Void> swap = beginSwap(client, app, call);

            assertThatThrownBy(() -> AzureOperations.await(swap, call, Duration.ofMillis(10), Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(
                            OperationStillRunningException.class,
                            e -> assertThat(e.polls()).isEqualTo(1))
                    .hasMessageContaining("was accepted by Azure and is still running")
                    .hasMessageContaining("the next poll would come PT1M later, as the server asked")
                    .hasMessageContaining("step 'swap' has PT")
                    .hasMessageContaining("keeps PT2S")
                    .hasMessageContaining("may still complete in Azure");
            assertThat(step.remaining()).isGreaterThan(Duration.ofSeconds(10));
            assertThat(step.progress()).containsExactly("swapping blue into production: IN_PROGRESS (poll 1)");
        }
    }

    @Test
    void aSwapWhoseAnswerIsLostIsIndeterminateAndSentOnce() {
        String app = seedApp(azure);
        azure.inject(AzureOperation.SLOT_SWAP, AzureFault.resetAfterAccepting());
        AzureCall call = AzureCall.change(TestStepContext.of("swap", Duration.ofSeconds(30)), "swapping");

        assertThatThrownBy(() -> {
                    try {
                        beginSwap(arm, app, call);
                    } catch (RuntimeException e) {
                        throw call.failure(e);
                    }
                })
                .isInstanceOf(IndeterminateOutcomeException.class);
        assertThat(requests(AzureOperation.SLOT_SWAP)).hasSize(1);
    }

    // ---- the check a provider runs on a pre-built client ----

    @Test
    void aClientBuiltWithTheSdksRetryPolicyIsRefusedWithWhatToChange() {
        assertThatThrownBy(() -> AzurePipelines.requireDeadlineAware(
                        AzureSimulatorClients.resourceManager(azure)
                                .redisCaches()
                                .manager()
                                .serviceClient()
                                .getHttpPipeline(),
                        "the RedisManager"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "the RedisManager's HTTP pipeline retries with [com.azure.core.http.policy.RetryPolicy]")
                .hasMessageContaining(".withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())");
        assertThat(AzurePipelines.requireDeadlineAware(
                        arm.redisCaches().manager().serviceClient().getHttpPipeline(), "the RedisManager"))
                .isNotNull();
    }
}
