package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.appservice.fluent.WebAppsClient;
import com.azure.resourcemanager.appservice.fluent.models.SiteConfigResourceInner;
import com.azure.resourcemanager.appservice.models.CsmSlotEntity;
import com.azure.resourcemanager.appservice.models.DeploymentSlot;
import com.azure.resourcemanager.appservice.models.Experiments;
import com.azure.resourcemanager.appservice.models.RampUpRule;
import com.azure.resourcemanager.appservice.models.WebApp;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AzureWebAppsIT {

    private static AzureControlPlaneSimulator azure;
    private static AzureResourceManager arm;

    @BeforeAll
    static void start() {
        azure = AzureControlPlaneSimulator.builder().start();
        arm = AzureSimulatorClients.resourceManager(azure);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void forgetRequests() {
        azure.resetRequests();
    }

    @Test
    void slotSwapThroughTheSdkExchangesWhatTheSlotsServeAfterPollingTheOperation() {
        azure.webApp("rg-swap", "shop").serving("v42").slot("blue-previous").serving("v41");

        DeploymentSlot previous = arm.webApps()
                .getByResourceGroup("rg-swap", "shop")
                .deploymentSlots()
                .getByName("blue-previous");
        assertThat(previous.linuxFxVersion()).isEqualTo("v41");
        previous.swap("production");

        assertThat(azure.webApp("rg-swap", "shop").production().content()).contains("v41");
        assertThat(azure.webApp("rg-swap", "shop").slot("blue-previous").content())
                .contains("v42");
        assertThat(arm.webApps().getByResourceGroup("rg-swap", "shop").linuxFxVersion())
                .isEqualTo("v41");
        assertThat(previous.linuxFxVersion())
                .as("the slot as the SDK refreshed it after the swap")
                .isEqualTo("v42");

        RecordedRequests swaps = azure.requests().matching("POST", "/sites/shop/slots/blue-previous/slotsswap");
        assertThat(swaps.count()).isOne();
        assertThat(swaps.last().status()).isEqualTo(202);
        assertThat(swaps.last().body()).contains("\"targetSlot\":\"production\"");
        assertThat(swaps.last().queryParameter("api-version")).contains("2025-03-01");
        RecordedRequests polls = azure.requests().forOperation(AzureOperation.OPERATION_RESULT);
        assertThat(polls.all()).extracting(RecordedRequest::status).containsExactly(202, 204);
    }

    @Test
    void everyRequestCarriesTheFakeBearerToken() {
        azure.webApp("rg-token", "shop");

        arm.webApps().getByResourceGroup("rg-token", "shop");

        assertThat(azure.requests().all())
                .isNotEmpty()
                .allSatisfy(request -> assertThat(request.header("authorization"))
                        .contains("Bearer " + AzureSimulatorClients.ACCESS_TOKEN));
    }

    @Test
    void swapFromTheProductionSideAndTheCliVariantBothExchangeContent() {
        azure.webApp("rg-swap2", "shop").serving("v2").slot("staging").serving("v1");

        arm.webApps().getByResourceGroup("rg-swap2", "shop").swap("staging");
        assertThat(azure.webApp("rg-swap2", "shop").production().content()).contains("v1");

        arm.webApps()
                .manager()
                .serviceClient()
                .getWebApps()
                .swapSlot(
                        "rg-swap2",
                        "shop",
                        "staging",
                        new CsmSlotEntity().withTargetSlot("production").withPreserveVnet(true));
        assertThat(azure.webApp("rg-swap2", "shop").production().content()).contains("v2");
        assertThat(azure.webApp("rg-swap2", "shop").slot("staging").swapCount()).isEqualTo(2);
    }

    @Test
    void trafficRoutingIsSetReadBackAndClearedOnTheProductionSiteConfig() {
        azure.webApp("rg-route", "shop").slot("staging");
        WebApp app = arm.webApps().getByResourceGroup("rg-route", "shop");
        String stagingHost = app.deploymentSlots().getByName("staging").defaultHostname();
        WebAppsClient client = arm.webApps().manager().serviceClient().getWebApps();

        client.updateConfiguration(
                "rg-route",
                "shop",
                new SiteConfigResourceInner()
                        .withExperiments(new Experiments()
                                .withRampUpRules(List.of(new RampUpRule()
                                        .withActionHostname(stagingHost)
                                        .withReroutePercentage(25.0)
                                        .withName("staging")))));

        assertThat(azure.webApp("rg-route", "shop").rampUpRules())
                .containsExactly(
                        new dev.rollback.testkit.azure.RampUpRule("staging", "shop-staging.azurewebsites.net", 25.0));
        assertThat(client.getConfiguration("rg-route", "shop").experiments().rampUpRules())
                .singleElement()
                .satisfies(rule -> {
                    assertThat(rule.name()).isEqualTo("staging");
                    assertThat(rule.reroutePercentage()).isEqualTo(25.0);
                });
        assertThat(azure.requests()
                        .forOperation(AzureOperation.WEB_APP_CONFIG_UPDATE)
                        .last()
                        .body())
                .contains("\"reroutePercentage\":25.0");

        client.updateConfiguration(
                "rg-route",
                "shop",
                new SiteConfigResourceInner().withExperiments(new Experiments().withRampUpRules(List.of())));
        assertThat(azure.webApp("rg-route", "shop").rampUpRules()).isEmpty();
    }

    @Test
    void routingMoreThanAllTrafficAwayFromProductionIsRefused() {
        azure.webApp("rg-route2", "shop").slot("a");
        WebAppsClient client = arm.webApps().manager().serviceClient().getWebApps();

        assertThatThrownBy(() -> client.updateConfiguration(
                        "rg-route2",
                        "shop",
                        new SiteConfigResourceInner()
                                .withExperiments(new Experiments()
                                        .withRampUpRules(List.of(
                                                new RampUpRule()
                                                        .withActionHostname("shop-a.azurewebsites.net")
                                                        .withReroutePercentage(60.0)
                                                        .withName("a"),
                                                new RampUpRule()
                                                        .withActionHostname("shop-a.azurewebsites.net")
                                                        .withReroutePercentage(60.0)
                                                        .withName("b"))))))
                .isInstanceOf(ManagementException.class)
                .satisfies(
                        e -> assertThat(((ManagementException) e).getResponse().getStatusCode())
                                .isEqualTo(400));
        assertThat(azure.webApp("rg-route2", "shop").rampUpRules()).isEmpty();
    }

    @Test
    void slotsStopAndStartThroughTheSdk() {
        azure.webApp("rg-state", "shop").slot("staging");
        DeploymentSlot staging = arm.webApps()
                .getByResourceGroup("rg-state", "shop")
                .deploymentSlots()
                .getByName("staging");
        assertThat(staging.state()).isEqualTo("Running");

        staging.stop();
        assertThat(azure.webApp("rg-state", "shop").slot("staging").state()).isEqualTo("Stopped");
        // A fresh read: the fluent slot caches its state at construction and refresh() does not renew it.
        assertThat(arm.webApps()
                        .getByResourceGroup("rg-state", "shop")
                        .deploymentSlots()
                        .getByName("staging")
                        .state())
                .isEqualTo("Stopped");
        assertThat(azure.webApp("rg-state", "shop").production().state()).isEqualTo("Running");

        staging.start();
        assertThat(azure.webApp("rg-state", "shop").slot("staging").state()).isEqualTo("Running");
    }

    @Test
    void anotherApiVersionIsNotServedAndShowsUnmatchedInTheJournal() {
        azure.webApp("rg-version", "shop");
        String path = "/subscriptions/" + azure.subscriptionId()
                + "/resourceGroups/rg-version/providers/Microsoft.Web/sites/shop";
        HttpClient http = AzureSimulatorClients.httpClient(azure);

        int served = http.sendSync(
                        new HttpRequest(HttpMethod.GET, azure.baseUrl() + path + "?api-version=2025-03-01"),
                        Context.NONE)
                .getStatusCode();
        int other = http.sendSync(
                        new HttpRequest(HttpMethod.GET, azure.baseUrl() + path + "?api-version=2022-03-01"),
                        Context.NONE)
                .getStatusCode();

        assertThat(served).isEqualTo(200);
        assertThat(other).isEqualTo(404);
        assertThat(azure.requests().all())
                .extracting(RecordedRequest::operation)
                .containsExactly(Optional.of(AzureOperation.WEB_APP_GET), Optional.empty());
    }

    @Test
    void aMissingWebAppIsA404ForTheSdk() {
        assertThatThrownBy(() -> arm.webApps().getByResourceGroup("rg-none", "ghost"))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).getValue().getCode())
                        .isEqualTo("ResourceNotFound"));
    }

    @Test
    void aFailedSwapOperationReachesTheClientWithItsCodeAndChangesNothing() {
        azure.webApp("rg-fail", "shop").serving("v2").slot("staging").serving("v1");
        azure.inject(AzureOperation.SLOT_SWAP, AzureFault.operationFailed("SwapFailed", "Warm-up failed."));

        DeploymentSlot staging = arm.webApps()
                .getByResourceGroup("rg-fail", "shop")
                .deploymentSlots()
                .getByName("staging");
        assertThatThrownBy(() -> staging.swap("production"))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).getValue().getCode())
                        .isEqualTo("SwapFailed"));
        assertThat(azure.webApp("rg-fail", "shop").production().content()).contains("v2");
    }
}
