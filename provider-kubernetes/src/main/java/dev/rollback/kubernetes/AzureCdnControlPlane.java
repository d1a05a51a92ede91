package dev.rollback.kubernetes;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.cdn.CdnManager;
import com.azure.resourcemanager.cdn.fluent.AfdEndpointsClient;
import com.azure.resourcemanager.cdn.fluent.EndpointsClient;
import com.azure.resourcemanager.cdn.models.AfdPurgeParameters;
import com.azure.resourcemanager.cdn.models.PurgeParameters;
import dev.rollback.kubernetes.internal.AzureFailures;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Azure CDN / Front Door control plane as {@link CdnPurgeStep} uses it: read an endpoint, start a
 * content purge. The one place of this provider that touches Azure SDK types; build it with
 * {@link #ofCdnManager(CdnManager)} from a manager you configured (credential, profile, HTTP client,
 * retry options), for example {@code azure.cdnProfiles().manager()} of an {@code AzureResourceManager}.
 * The SDK retries 429, 5xx and connection failures itself; keep its retries short so that the step's
 * deadline is the one that counts.
 *
 * <p>Immutable and thread-safe (the SDK clients are). It never creates, changes or deletes a profile or
 * an endpoint.
 */
public final class AzureCdnControlPlane {
    private final EndpointsClient endpoints;
    private final AfdEndpointsClient frontDoorEndpoints;

    private AzureCdnControlPlane(EndpointsClient endpoints, AfdEndpointsClient frontDoorEndpoints) {
        this.endpoints = endpoints;
        this.frontDoorEndpoints = frontDoorEndpoints;
    }

    /** A control plane over a pre-built {@link CdnManager}: the only factory that takes an Azure SDK type. */
    public static AzureCdnControlPlane ofCdnManager(CdnManager manager) {
        Objects.requireNonNull(manager, "manager");
        return new AzureCdnControlPlane(
                manager.serviceClient().getEndpoints(), manager.serviceClient().getAfdEndpoints());
    }

    /** The endpoint's host name, or empty when it (or its profile) does not exist. */
    Optional<String> hostName(CdnEndpoint endpoint) {
        try {
            String host = endpoint.kind() == CdnEndpoint.Kind.CDN
                    ? endpoints
                            .get(endpoint.resourceGroup(), endpoint.profile(), endpoint.endpoint())
                            .hostname()
                    : frontDoorEndpoints
                            .get(endpoint.resourceGroup(), endpoint.profile(), endpoint.endpoint())
                            .hostname();
            return Optional.of(Objects.toString(host, ""));
        } catch (ManagementException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return Optional.empty();
            }
            throw AzureFailures.map("reading " + endpoint, e);
        } catch (RuntimeException e) {
            throw AzureFailures.map("reading " + endpoint, e);
        }
    }

    /** Sends the purge and returns the poller of its long-running operation. */
    SyncPoller<PollResult<Void>, Void> beginPurge(CdnEndpoint endpoint, List<String> paths, List<String> domains) {
        try {
            if (endpoint.kind() == CdnEndpoint.Kind.CDN) {
                return endpoints.beginPurgeContent(
                        endpoint.resourceGroup(),
                        endpoint.profile(),
                        endpoint.endpoint(),
                        new PurgeParameters().withContentPaths(paths));
            }
            AfdPurgeParameters parameters = new AfdPurgeParameters().withContentPaths(paths);
            if (!domains.isEmpty()) {
                parameters.withDomains(domains);
            }
            return frontDoorEndpoints.beginPurgeContent(
                    endpoint.resourceGroup(), endpoint.profile(), endpoint.endpoint(), parameters);
        } catch (RuntimeException e) {
            throw AzureFailures.map("purging " + paths + " from " + endpoint, e);
        }
    }

    @Override
    public String toString() {
        return "AzureCdnControlPlane";
    }
}
