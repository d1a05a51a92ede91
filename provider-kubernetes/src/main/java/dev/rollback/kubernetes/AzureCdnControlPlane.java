package dev.rollback.kubernetes;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.cdn.CdnManager;
import com.azure.resourcemanager.cdn.fluent.AfdEndpointsClient;
import com.azure.resourcemanager.cdn.fluent.EndpointsClient;
import com.azure.resourcemanager.cdn.models.AfdPurgeParameters;
import com.azure.resourcemanager.cdn.models.PurgeParameters;
import dev.rollback.api.StepContext;
import dev.rollback.azure.AzureCall;
import dev.rollback.azure.AzureFailures;
import dev.rollback.azure.AzureOperations;
import dev.rollback.azure.AzurePipelines;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The Azure CDN / Front Door control plane as {@link CdnPurgeStep} uses it: read an endpoint, purge
 * content and wait for the purge. The one place of this provider that touches Azure SDK types; build
 * it with {@link #ofCdnManager(CdnManager)} from a manager you configured (credential, profile, HTTP
 * client) with rollback-azure's {@code DeadlineAwareRetryPolicy} in its retry slot:
 * {@code CdnManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults()).authenticate(credential, profile)},
 * or {@code azure.cdnProfiles().manager()} of an {@code AzureResourceManager} configured the same way.
 * A manager built any other way is refused: azure-core's own retry policy re-sends the purge after an
 * I/O error and sleeps whatever {@code Retry-After} a server sends, past any deadline.
 *
 * <p>Every call is an {@code AzureCall} of the step that makes it: the purge is a change the pipeline
 * never re-sends once it may have reached Azure (the step's executor decides on a repeat, which is
 * harmless for a purge), no try or wait outlives the step's deadline, the purge's long-running
 * operation is polled with rollback-azure's {@code AzureOperations}, and failures are mapped by
 * rollback-azure's {@code AzureFailures}.
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

    /**
     * A control plane over a pre-built {@link CdnManager}: the only factory that takes an Azure SDK type.
     *
     * @throws IllegalArgumentException if the manager's pipeline does not retry with exactly one
     *     {@code DeadlineAwareRetryPolicy}, naming what to change: build it with
     *     {@code CdnManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())} (or the
     *     {@code AzureResourceManager} it comes from with {@code .withRetryPolicy(...)})
     */
    public static AzureCdnControlPlane ofCdnManager(CdnManager manager) {
        Objects.requireNonNull(manager, "manager");
        AzurePipelines.requireDeadlineAware(manager.serviceClient().getHttpPipeline(), "the CdnManager");
        return new AzureCdnControlPlane(
                manager.serviceClient().getEndpoints(), manager.serviceClient().getAfdEndpoints());
    }

    /** The endpoint's host name, or empty when it (or its profile) does not exist. */
    Optional<String> hostName(StepContext ctx, CdnEndpoint endpoint) {
        AzureCall call = AzureCall.read(ctx, "reading " + endpoint);
        try {
            String host = endpoint.kind() == CdnEndpoint.Kind.CDN
                    ? endpoints
                            .getWithResponse(
                                    endpoint.resourceGroup(), endpoint.profile(), endpoint.endpoint(), call.context())
                            .getValue()
                            .hostname()
                    : frontDoorEndpoints
                            .getWithResponse(
                                    endpoint.resourceGroup(), endpoint.profile(), endpoint.endpoint(), call.context())
                            .getValue()
                            .hostname();
            return Optional.of(Objects.toString(host, ""));
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == 404) {
                return Optional.empty();
            }
            throw call.failure(e);
        }
    }

    /**
     * Sends the purge once and polls its operation until it ends or the step's deadline less
     * {@code reserve} comes.
     *
     * @throws dev.rollback.api.IndeterminateOutcomeException when the purge's answer, or a poll's, was lost
     * @throws dev.rollback.azure.OperationStillRunningException when it still ran when the wait had to stop
     * @throws dev.rollback.api.RollbackException the mapped Azure error otherwise
     */
    void purge(
            StepContext ctx,
            CdnEndpoint endpoint,
            List<String> paths,
            List<String> domains,
            Duration pollInterval,
            Duration reserve,
            IntConsumer onAnsweredPoll) {
        AzureCall call = AzureCall.change(ctx, "the purge of " + paths + " from " + endpoint);
        SyncPoller<PollResult<Void>, Void> poller;
        try {
            if (endpoint.kind() == CdnEndpoint.Kind.CDN) {
                poller = endpoints.beginPurgeContent(
                        endpoint.resourceGroup(),
                        endpoint.profile(),
                        endpoint.endpoint(),
                        new PurgeParameters().withContentPaths(paths),
                        call.context());
            } else {
                AfdPurgeParameters parameters = new AfdPurgeParameters().withContentPaths(paths);
                if (!domains.isEmpty()) {
                    parameters.withDomains(domains);
                }
                poller = frontDoorEndpoints.beginPurgeContent(
                        endpoint.resourceGroup(), endpoint.profile(), endpoint.endpoint(), parameters, call.context());
            }
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
        AzureOperations.await(poller, call, pollInterval, reserve, onAnsweredPoll);
    }

    @Override
    public String toString() {
        return "AzureCdnControlPlane";
    }
}
