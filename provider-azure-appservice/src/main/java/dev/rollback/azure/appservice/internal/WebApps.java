package dev.rollback.azure.appservice.internal;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.appservice.AppServiceManager;
import com.azure.resourcemanager.appservice.fluent.WebAppsClient;
import com.azure.resourcemanager.appservice.fluent.models.SiteConfigResourceInner;
import com.azure.resourcemanager.appservice.fluent.models.SiteInner;
import com.azure.resourcemanager.appservice.models.CsmSlotEntity;
import com.azure.resourcemanager.appservice.models.Experiments;
import com.azure.resourcemanager.appservice.models.RampUpRule;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.azure.AzureCall;
import dev.rollback.azure.AzureFailures;
import dev.rollback.azure.AzureOperations;
import dev.rollback.azure.AzurePipelines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The App Service control plane as this provider uses it, over the SDK's inner {@link WebAppsClient}
 * (one REST call per method, no fluent refresh GETs). The only class that touches SDK types besides
 * the public factory. Every call goes through an {@link AzureCall} of the step that makes it, so the
 * manager's {@link dev.rollback.azure.DeadlineAwareRetryPolicy} bounds it by that step's deadline and
 * never re-sends the swap. Thread-safe (the SDK client is). It never deletes, stops or creates anything.
 */
public final class WebApps {
    /** The slot name of production in ARM. */
    public static final String PRODUCTION = "production";

    private final WebAppsClient client;
    private final Duration pollInterval;

    private WebApps(WebAppsClient client, Duration pollInterval) {
        this.client = client;
        this.pollInterval = pollInterval;
    }

    /**
     * Over a pre-built manager, whose pipeline must retry with a {@code DeadlineAwareRetryPolicy}.
     *
     * @throws IllegalArgumentException if it retries with anything else (azure-core's policy re-sends a swap)
     */
    public static WebApps of(AppServiceManager manager) {
        Objects.requireNonNull(manager, "manager");
        AzurePipelines.requireDeadlineAware(manager.serviceClient().getHttpPipeline(), "the AppServiceManager");
        Duration interval = ResourceManagerUtils.InternalRuntimeContext.getDelayDuration(
                manager.serviceClient().getDefaultPollInterval());
        return new WebApps(
                manager.serviceClient().getWebApps(),
                interval == null || interval.isZero() || interval.isNegative() ? Duration.ofSeconds(30) : interval);
    }

    /** How often long-running operations are polled when Azure sends no Retry-After (the manager's own interval). */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** What this provider reads of a slot. */
    public record Slot(String name, String state, String defaultHostName) {}

    /** One traffic-routing (ramp-up) rule. */
    public record Route(String slot, String hostName, double percentage) {}

    /** The slot, or empty if the app or the slot does not exist (404). */
    public Optional<Slot> slot(StepContext ctx, String resourceGroup, String app, String slot) {
        AzureCall call = AzureCall.read(ctx, "reading slot " + slot + " of web app " + resourceGroup + "/" + app);
        try {
            SiteInner site = client.getSlotWithResponse(resourceGroup, app, slot, call.context())
                    .getValue();
            if (site == null) {
                return Optional.empty();
            }
            return Optional.of(new Slot(
                    slot, Objects.toString(site.state(), "Unknown"), Objects.toString(site.defaultHostname(), "")));
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == 404) {
                return Optional.empty();
            }
            throw call.failure(e);
        }
    }

    /** The traffic-routing rules on the production site config. */
    public List<Route> routes(StepContext ctx, String resourceGroup, String app) {
        SiteConfigResourceInner config = config(ctx, resourceGroup, app, Optional.empty());
        List<Route> routes = new ArrayList<>();
        if (config.experiments() != null && config.experiments().rampUpRules() != null) {
            for (RampUpRule r : config.experiments().rampUpRules()) {
                routes.add(new Route(
                        Objects.toString(r.name(), ""),
                        Objects.toString(r.actionHostname(), ""),
                        r.reroutePercentage() == null ? 0 : r.reroutePercentage()));
            }
        }
        return List.copyOf(routes);
    }

    /**
     * Replaces the traffic-routing rules (PATCH of the production site config, as the CLI does): the
     * whole rule set is sent, so sending it twice has the effect of sending it once.
     */
    public void setRoutes(StepContext ctx, String resourceGroup, String app, List<Route> routes) {
        List<RampUpRule> rules = new ArrayList<>();
        for (Route r : routes) {
            rules.add(new RampUpRule()
                    .withName(r.slot())
                    .withActionHostname(r.hostName())
                    .withReroutePercentage(r.percentage()));
        }
        AzureCall call =
                AzureCall.idempotentChange(ctx, "setting the traffic routing of web app " + resourceGroup + "/" + app);
        try {
            client.updateConfigurationWithResponse(
                    resourceGroup,
                    app,
                    new SiteConfigResourceInner().withExperiments(new Experiments().withRampUpRules(rules)),
                    call.context());
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
    }

    /**
     * What a slot (or production, when {@code slot} is empty) serves: its {@code linuxFxVersion}, else
     * its {@code windowsFxVersion}, else the empty string.
     */
    public String served(StepContext ctx, String resourceGroup, String app, Optional<String> slot) {
        SiteConfigResourceInner config = config(ctx, resourceGroup, app, slot);
        if (config.linuxFxVersion() != null && !config.linuxFxVersion().isBlank()) {
            return config.linuxFxVersion();
        }
        return Objects.toString(config.windowsFxVersion(), "");
    }

    private SiteConfigResourceInner config(StepContext ctx, String resourceGroup, String app, Optional<String> slot) {
        String where = "web app " + resourceGroup + "/" + app
                + slot.map(s -> " slot " + s).orElse("");
        AzureCall call = AzureCall.read(ctx, "reading the site config of " + where);
        SiteConfigResourceInner config;
        try {
            config = (slot.isPresent()
                            ? client.getConfigurationSlotWithResponse(resourceGroup, app, slot.get(), call.context())
                            : client.getConfigurationWithResponse(resourceGroup, app, call.context()))
                    .getValue();
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
        if (config == null) {
            throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, where + " has no site config");
        }
        return config;
    }

    /**
     * Swaps {@code slot} into production ({@code POST .../slots/{slot}/slotsswap}, targetSlot
     * production, preserveVnet true as the CLI sends) and waits for the long-running operation until
     * the step's deadline less {@code reserve}, one poll at a time.
     *
     * @throws dev.rollback.api.IndeterminateOutcomeException if the swap may have been accepted and
     *     its outcome is unknown (the answer or a poll was lost): it is never sent again here
     * @throws dev.rollback.azure.OperationStillRunningException if Azure accepted it and it was still
     *     running when the wait had to stop
     * @throws RollbackException the mapped Azure error otherwise (a failed swap names Azure's code)
     */
    public void swapIntoProduction(StepContext ctx, String resourceGroup, String app, String slot, Duration reserve) {
        AzureCall call = AzureCall.change(
                ctx, "swapping slot " + slot + " of web app " + resourceGroup + "/" + app + " into production");
        SyncPoller<PollResult<Void>, Void> swap;
        try {
            swap = client.beginSwapSlot(
                    resourceGroup,
                    app,
                    slot,
                    new CsmSlotEntity().withTargetSlot(PRODUCTION).withPreserveVnet(true),
                    call.context());
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
        AzureOperations.await(swap, call, pollInterval, reserve);
    }
}
