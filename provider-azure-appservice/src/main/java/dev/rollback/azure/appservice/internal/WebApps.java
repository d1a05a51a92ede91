package dev.rollback.azure.appservice.internal;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.appservice.AppServiceManager;
import com.azure.resourcemanager.appservice.fluent.WebAppsClient;
import com.azure.resourcemanager.appservice.fluent.models.SiteConfigResourceInner;
import com.azure.resourcemanager.appservice.fluent.models.SiteInner;
import com.azure.resourcemanager.appservice.models.CsmSlotEntity;
import com.azure.resourcemanager.appservice.models.Experiments;
import com.azure.resourcemanager.appservice.models.RampUpRule;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The App Service control plane as this provider uses it, over the SDK's inner {@link WebAppsClient}
 * (one REST call per method, no fluent refresh GETs). The only class that touches SDK types besides
 * the public factory. Thread-safe (the SDK client is). It never deletes, stops or creates anything.
 */
public final class WebApps {
    /** The slot name of production in ARM. */
    public static final String PRODUCTION = "production";

    private final WebAppsClient client;

    private WebApps(WebAppsClient client) {
        this.client = client;
    }

    /** Over a pre-built manager. */
    public static WebApps of(AppServiceManager manager) {
        Objects.requireNonNull(manager, "manager");
        return new WebApps(manager.serviceClient().getWebApps());
    }

    /** What this provider reads of a slot. */
    public record Slot(String name, String state, String defaultHostName) {}

    /** One traffic-routing (ramp-up) rule. */
    public record Route(String slot, String hostName, double percentage) {}

    /** The slot, or empty if the app or the slot does not exist (404). */
    public Optional<Slot> slot(String resourceGroup, String app, String slot) {
        String what = "reading slot " + slot + " of web app " + resourceGroup + "/" + app;
        try {
            SiteInner site = client.getSlot(resourceGroup, app, slot);
            if (site == null) {
                return Optional.empty();
            }
            return Optional.of(new Slot(
                    slot, Objects.toString(site.state(), "Unknown"), Objects.toString(site.defaultHostname(), "")));
        } catch (ManagementException e) {
            if (AzureFailures.status(e) == 404) {
                return Optional.empty();
            }
            throw AzureFailures.map(what, e);
        } catch (RuntimeException e) {
            throw AzureFailures.map(what, e);
        }
    }

    /** The traffic-routing rules on the production site config. */
    public List<Route> routes(String resourceGroup, String app) {
        SiteConfigResourceInner config = config(resourceGroup, app, Optional.empty());
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

    /** Replaces the traffic-routing rules (PATCH of the production site config, as the CLI does). */
    public void setRoutes(String resourceGroup, String app, List<Route> routes) {
        List<RampUpRule> rules = new ArrayList<>();
        for (Route r : routes) {
            rules.add(new RampUpRule()
                    .withName(r.slot())
                    .withActionHostname(r.hostName())
                    .withReroutePercentage(r.percentage()));
        }
        try {
            client.updateConfiguration(
                    resourceGroup,
                    app,
                    new SiteConfigResourceInner().withExperiments(new Experiments().withRampUpRules(rules)));
        } catch (RuntimeException e) {
            throw AzureFailures.map("setting the traffic routing of web app " + resourceGroup + "/" + app, e);
        }
    }

    /**
     * What a slot (or production, when {@code slot} is empty) serves: its {@code linuxFxVersion}, else
     * its {@code windowsFxVersion}, else the empty string.
     */
    public String served(String resourceGroup, String app, Optional<String> slot) {
        SiteConfigResourceInner config = config(resourceGroup, app, slot);
        if (config.linuxFxVersion() != null && !config.linuxFxVersion().isBlank()) {
            return config.linuxFxVersion();
        }
        return Objects.toString(config.windowsFxVersion(), "");
    }

    private SiteConfigResourceInner config(String resourceGroup, String app, Optional<String> slot) {
        try {
            SiteConfigResourceInner config = slot.isPresent()
                    ? client.getConfigurationSlot(resourceGroup, app, slot.get())
                    : client.getConfiguration(resourceGroup, app);
            if (config == null) {
                throw new RollbackException(
                        ErrorCode.EXTERNAL_FAILURE,
                        "web app " + resourceGroup + "/" + app
                                + slot.map(s -> " slot " + s).orElse("") + " has no site config");
            }
            return config;
        } catch (RuntimeException e) {
            throw AzureFailures.map(
                    "reading the site config of web app " + resourceGroup + "/" + app
                            + slot.map(s -> " slot " + s).orElse(""),
                    e);
        }
    }

    /**
     * Swaps {@code slot} into production ({@code POST .../slots/{slot}/slotsswap}, targetSlot
     * production, preserveVnet true as the CLI sends) and waits for the long-running operation at most
     * {@code timeout}.
     *
     * @throws RollbackException {@code STEP_TIMED_OUT} if it is still running after the timeout (the
     *     swap goes on in Azure); the mapped Azure error otherwise
     */
    public void swapIntoProduction(String resourceGroup, String app, String slot, Duration timeout) {
        String what = "swapping slot " + slot + " of web app " + resourceGroup + "/" + app + " into production";
        try {
            SyncPoller<PollResult<Void>, Void> poller = client.beginSwapSlot(
                    resourceGroup,
                    app,
                    slot,
                    new CsmSlotEntity().withTargetSlot(PRODUCTION).withPreserveVnet(true));
            PollResponse<PollResult<Void>> done;
            try {
                done = poller.waitForCompletion(timeout);
            } catch (RuntimeException e) {
                if (rootCause(e) instanceof TimeoutException) {
                    throw new RollbackException(
                            ErrorCode.STEP_TIMED_OUT,
                            what + " did not finish within " + timeout + "; it may still complete in Azure");
                }
                throw e;
            }
            if (done.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                poller.getFinalResult(); // throws the operation's error if it has one
                throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, what + " ended " + done.getStatus());
            }
        } catch (RuntimeException e) {
            throw AzureFailures.map(what, e);
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
