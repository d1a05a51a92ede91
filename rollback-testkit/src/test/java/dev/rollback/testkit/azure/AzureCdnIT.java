package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.cdn.fluent.CdnManagementClient;
import com.azure.resourcemanager.cdn.models.AfdPurgeParameters;
import com.azure.resourcemanager.cdn.models.PurgeParameters;
import dev.rollback.testkit.ServerExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AzureCdnIT {

    @RegisterExtension
    static final ServerExtension<AzureControlPlaneSimulator> AZURE = AzureControlPlaneSimulator.extension();

    private static AzureControlPlaneSimulator azure;
    private static CdnManagementClient cdn;

    @BeforeAll
    static void clients() {
        azure = AZURE.server();
        AzureResourceManager arm = AzureSimulatorClients.resourceManager(azure);
        cdn = arm.cdnProfiles().manager().serviceClient();
    }

    @Test
    void aCdnPurgeIsALongRunningOperationThatCountsOnlyWhenItCompletes() {
        SimulatedCdnEndpoint endpoint = azure.cdnEndpoint("rg", "cdn-profile", "web");

        assertThat(cdn.getEndpoints().get("rg", "cdn-profile", "web").hostname())
                .isEqualTo("web.azureedge.net");
        var poller = cdn.getEndpoints()
                .beginPurgeContent(
                        "rg", "cdn-profile", "web", new PurgeParameters().withContentPaths(List.of("/static/*")));
        assertThat(endpoint.purges()).isEmpty();
        poller.getFinalResult();

        assertThat(endpoint.purges())
                .singleElement()
                .satisfies(p -> assertThat(p.contentPaths()).containsExactly("/static/*"));
        RecordedRequest purge = azure.requests()
                .forOperation(AzureOperation.CDN_ENDPOINT_PURGE)
                .all()
                .get(0);
        assertThat(purge.status()).isEqualTo(202);
        assertThat(purge.queryParameter("api-version")).contains("2024-02-01");
    }

    @Test
    void aFrontDoorPurgeCarriesItsDomainsAndUnknownEndpointsAndBadPathsAreRefused() {
        SimulatedCdnEndpoint endpoint = azure.frontDoorEndpoint("rg", "afd-profile", "web");
        cdn.getAfdEndpoints()
                .beginPurgeContent(
                        "rg",
                        "afd-profile",
                        "web",
                        new AfdPurgeParameters().withContentPaths(List.of("/*")).withDomains(List.of("advisoros.com")))
                .getFinalResult();
        assertThat(endpoint.purges())
                .singleElement()
                .satisfies(p -> assertThat(p.domains()).containsExactly("advisoros.com"));
        assertThat(endpoint.hostName()).isEqualTo("web.z01.azurefd.net");

        assertThatThrownBy(() -> cdn.getEndpoints().get("rg", "cdn-profile", "absent"))
                .isInstanceOfSatisfying(
                        ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(404));
        azure.cdnEndpoint("rg", "cdn-profile", "strict");
        assertThatThrownBy(() -> cdn.getEndpoints()
                        .beginPurgeContent(
                                "rg",
                                "cdn-profile",
                                "strict",
                                new PurgeParameters().withContentPaths(List.of("static")))
                        .getFinalResult())
                .isInstanceOfSatisfying(
                        ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(400));
        assertThat(azure.cdnEndpoint("rg", "cdn-profile", "strict").purges()).isEmpty();
    }
}
