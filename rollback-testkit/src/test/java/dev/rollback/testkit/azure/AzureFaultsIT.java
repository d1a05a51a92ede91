package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.exception.HttpResponseException;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.redis.models.RebootType;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.rollback.testkit.ServerExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AzureFaultsIT {

    @RegisterExtension
    static final ServerExtension<AzureControlPlaneSimulator> AZURE = AzureControlPlaneSimulator.extension();

    private static AzureControlPlaneSimulator azure;
    private static AzureResourceManager arm;

    @BeforeAll
    static void clients() {
        azure = AZURE.server();
        arm = AzureSimulatorClients.resourceManager(azure);
        azure.redisCache("rg", "cache");
    }

    @BeforeEach
    void reset() {
        azure.clearFaults();
        azure.resetRequests();
    }

    private static List<Integer> statuses(AzureOperation operation) {
        return azure.requests().forOperation(operation).all().stream()
                .map(RecordedRequest::status)
                .toList();
    }

    @Test
    void the503sWithinTheRetryBudgetAreRetriedUntilTheAnswerComes() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.status(503).times(2));

        assertThat(arm.redisCaches().getByResourceGroup("rg", "cache").name()).isEqualTo("cache");

        assertThat(statuses(AzureOperation.REDIS_GET)).containsExactly(503, 503, 200);
    }

    @Test
    void aStormOf503sReachesTheClientAfterItsLastRetry() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.status(503).times(10));

        assertThatThrownBy(() -> arm.redisCaches().getByResourceGroup("rg", "cache"))
                .isInstanceOf(HttpResponseException.class)
                .satisfies(e -> assertThat(
                                ((HttpResponseException) e).getResponse().getStatusCode())
                        .isEqualTo(503));

        assertThat(statuses(AzureOperation.REDIS_GET))
                .hasSize(1 + AzureSimulatorClients.MAX_RETRIES)
                .containsOnly(503);
    }

    @Test
    void a500IsRetriedAndA404IsNot() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.status(500));
        arm.redisCaches().getByResourceGroup("rg", "cache");
        assertThat(statuses(AzureOperation.REDIS_GET)).containsExactly(500, 200);

        azure.resetRequests();
        azure.inject(AzureOperation.REDIS_GET, AzureFault.status(404));
        assertThatThrownBy(() -> arm.redisCaches().getByResourceGroup("rg", "cache"))
                .isInstanceOf(HttpResponseException.class);
        assertThat(statuses(AzureOperation.REDIS_GET)).containsExactly(404);
    }

    @Test
    void a429WithRetryAfterInSecondsIsWaitedOutBeforeTheRetry() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.tooManyRequests(Duration.ofSeconds(1)));

        arm.redisCaches().getByResourceGroup("rg", "cache");

        List<RecordedRequest> requests =
                azure.requests().forOperation(AzureOperation.REDIS_GET).all();
        assertThat(requests).extracting(RecordedRequest::status).containsExactly(429, 200);
        assertThat(Duration.between(
                        requests.get(0).receivedAt(), requests.get(1).receivedAt()))
                .as("the client waited for Retry-After, not its 10 ms retry delay")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void a429WithRetryAfterAsAnHttpDateIsWaitedOutBeforeTheRetry() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.tooManyRequestsUntilDate(Duration.ofSeconds(3)));

        arm.redisCaches().getByResourceGroup("rg", "cache");

        List<RecordedRequest> requests =
                azure.requests().forOperation(AzureOperation.REDIS_GET).all();
        assertThat(requests).extracting(RecordedRequest::status).containsExactly(429, 200);
        assertThat(Duration.between(
                        requests.get(0).receivedAt(), requests.get(1).receivedAt()))
                .as(
                        "a date up to 3 s ahead (whole seconds), counted by azure-core in whole seconds, is 1 s away or more")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void aConnectionResetIsRetriedAndOneThatPersistsReachesTheClient() {
        azure.inject(AzureOperation.REDIS_GET, AzureFault.connectionReset());
        arm.redisCaches().getByResourceGroup("rg", "cache");
        assertThat(statuses(AzureOperation.REDIS_GET)).containsExactly(0, 200);

        azure.resetRequests();
        azure.inject(
                AzureOperation.REDIS_GET,
                AzureFault.network(Fault.CONNECTION_RESET_BY_PEER).times(10));
        assertThatThrownBy(() -> arm.redisCaches().getByResourceGroup("rg", "cache"))
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(statuses(AzureOperation.REDIS_GET)).hasSize(1 + AzureSimulatorClients.MAX_RETRIES);
    }

    @Test
    void aResetWhilePollingIsRetriedOnTheSamePollingUrlAndTheSwapCompletes() {
        azure.webApp("rg", "shop").serving("v2").slot("staging").serving("v1");
        azure.inject(AzureOperation.OPERATION_RESULT, AzureFault.connectionReset());

        arm.webApps()
                .getByResourceGroup("rg", "shop")
                .deploymentSlots()
                .getByName("staging")
                .swap("production");

        List<RecordedRequest> polls =
                azure.requests().forOperation(AzureOperation.OPERATION_RESULT).all();
        assertThat(polls).extracting(RecordedRequest::status).containsExactly(0, 202, 204);
        assertThat(polls)
                .extracting(RecordedRequest::path)
                .containsOnly(polls.get(0).path());
        assertThat(azure.webApp("rg", "shop").production().content()).contains("v1");
    }

    @Test
    void aSlowResponseArrivesAfterItsDelayWithTheChangeMade() {
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.slowResponse(Duration.ofMillis(700)));
        long start = System.nanoTime();

        arm.redisCaches().getByResourceGroup("rg", "cache").forceReboot(RebootType.PRIMARY_NODE);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(azure.redisCache("rg", "cache").reboots()).endsWith("PrimaryNode");
        assertThat(statuses(AzureOperation.REDIS_FORCE_REBOOT)).containsExactly(200);
    }

    @Test
    void aStoppedControlPlaneRefusesConnectionsAndComesBackOnItsPortWithItsState() {
        URI before = azure.baseUrl();
        azure.stop();

        assertThatThrownBy(() -> arm.redisCaches().getByResourceGroup("rg", "cache"))
                .hasRootCauseInstanceOf(ConnectException.class);

        azure.start();
        assertThat(azure.baseUrl()).isEqualTo(before);
        assertThat(arm.redisCaches().getByResourceGroup("rg", "cache").name()).isEqualTo("cache");
    }

    @Test
    void anOperationFailureCanOnlyBeInjectedIntoALongRunningOperation() {
        assertThatThrownBy(() -> azure.inject(AzureOperation.REDIS_GET, AzureFault.operationFailed("X", "y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("REDIS_GET");
    }

    @Test
    void faultsOfOneOperationLeaveTheOthersAlone() {
        azure.inject(AzureOperation.REDIS_FORCE_REBOOT, AzureFault.status(503).times(10));

        arm.redisCaches().getByResourceGroup("rg", "cache");

        assertThat(statuses(AzureOperation.REDIS_GET)).containsExactly(200);
    }
}
