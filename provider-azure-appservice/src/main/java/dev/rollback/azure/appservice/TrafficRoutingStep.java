package dev.rollback.azure.appservice;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.appservice.internal.Args;
import dev.rollback.azure.appservice.internal.WebApps;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The runbook's {@code az webapp traffic-routing set --distribution blue-previous=100}: sets the
 * production site's traffic-routing (ramp-up) rules so that the given percentage of production
 * traffic goes to a deployment slot, production keeping the rest; percentage 0 clears the rules
 * ({@code az webapp traffic-routing clear}). As the CLI does, the rules are replaced, not merged, by
 * one {@code PATCH .../sites/{app}/config/web} whose rule points at the slot's own host name (read
 * from the slot).
 *
 * <p>Preflight (read-only): for a percentage above 0, the slot must exist and be {@code Running}
 * ({@link SlotStateCheck}), so traffic is never sent to a stopped slot. Idempotent: when the rules
 * already are the wanted ones nothing is written, and the rule set is sent whole (a PATCH sent twice
 * has the effect of one). Evidence: {@value #DISTRIBUTION} (what was set, {@code blue-previous=100},
 * empty when cleared), {@value #PREVIOUS} (what was there before) and {@value #CHANGED}.
 *
 * <p>Built with the version production must serve ({@link Builder#expectedVersion(String)}) or must
 * stop serving ({@link Builder#brokenVersion(String)}), as the runbook's plan builds it, it routes to
 * the slot only while that is a rollback: when production already serves the right version (a plan
 * run a second time, after the swap) it routes nothing to the slot, which then holds the broken build
 * (evidence {@value #SKIPPED}), and it refuses, before any change, a slot that does not serve the
 * right version either.
 *
 * <p>Immutable and thread-safe. It never swaps, stops or starts a slot and never changes anything but
 * the routing rules.
 */
public final class TrafficRoutingStep implements RollbackStep {
    /** Evidence key: the distribution set, as {@code slot=percent} ({@code ""} when cleared). */
    public static final String DISTRIBUTION = "routing.distribution";
    /** Evidence key: the distribution found before. */
    public static final String PREVIOUS = "routing.previous";
    /** Evidence key: whether the rules were written ({@code false} when already as wanted). */
    public static final String CHANGED = "routing.changed";
    /** Evidence key: why no traffic was routed to the slot, when production already serves the right version. */
    public static final String SKIPPED = "routing.skipped";

    private final AppServiceRollback appService;
    private final String id;
    private final String component;
    private final String resourceGroup;
    private final String app;
    private final String slot;
    private final double percentage;
    private final boolean requireRunningSlot;
    private final Optional<String> expectedVersion;
    private final Optional<String> brokenVersion;

    private TrafficRoutingStep(Builder b) {
        this.appService = b.appService;
        this.id = b.id;
        this.component = b.component;
        this.resourceGroup = b.resourceGroup;
        this.app = b.app;
        this.slot = b.slot;
        this.percentage = b.percentage;
        this.requireRunningSlot = b.requireRunningSlot;
        this.expectedVersion = Optional.ofNullable(b.expectedVersion);
        this.brokenVersion = Optional.ofNullable(b.brokenVersion);
    }

    /** A builder on {@code appService}. */
    public static Builder builder(AppServiceRollback appService) {
        return new Builder(appService);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The web app and the slot traffic is routed to: {@code resourceGroup/app/slots/slot}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(resourceGroup + "/" + app + "/slots/" + slot);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** The percentage of production traffic this step routes to the slot. */
    public double percentage() {
        return percentage;
    }

    @Override
    public void preflight(StepContext context) {
        if (percentage > 0 && requireRunningSlot) {
            slotCheck().require(context);
        }
    }

    private SlotStateCheck slotCheck() {
        return SlotStateCheck.builder(appService)
                .resourceGroup(resourceGroup)
                .app(app)
                .slot(slot)
                .build();
    }

    /** Whether a direction is configured: route only while the slot, not production, serves the right version. */
    private boolean directed() {
        return expectedVersion.isPresent() || brokenVersion.isPresent();
    }

    private boolean right(String version) {
        return expectedVersion.map(version::equals).orElse(true)
                && brokenVersion.map(b -> !b.equals(version)).orElse(true);
    }

    @Override
    public void execute(StepContext context) {
        WebApps webApps = appService.webApps();
        List<WebApps.Route> wanted;
        if (percentage > 0 && directed() && right(webApps.served(context, resourceGroup, app, Optional.empty()))) {
            // Production already serves the right version: the slot holds the broken build now.
            wanted = List.of();
            context.evidence(
                    SKIPPED,
                    "production already serves the version to roll back to, so no traffic is routed to " + slot);
        } else if (percentage > 0) {
            WebApps.Slot s = webApps.slot(context, resourceGroup, app, slot)
                    .orElseThrow(() -> new RollbackException(
                            ErrorCode.STEP_FAILED,
                            "slot " + slot + " of web app " + resourceGroup + "/" + app
                                    + " not found; no traffic was routed"));
            if (s.defaultHostName().isEmpty()) {
                throw new RollbackException(
                        ErrorCode.EXTERNAL_FAILURE,
                        "slot " + slot + " of web app " + resourceGroup + "/" + app
                                + " reports no host name; no traffic was routed");
            }
            if (directed()) {
                String slotServes = webApps.served(context, resourceGroup, app, Optional.of(slot));
                if (!right(slotServes)) {
                    throw new RollbackException(
                            ErrorCode.STEP_FAILED,
                            "slot " + slot + " of web app " + resourceGroup + "/" + app + " serves '"
                                    + Redaction.redact(slotServes)
                                    + "', not the version to roll back to; no traffic was routed");
                }
            }
            wanted = List.of(new WebApps.Route(slot, s.defaultHostName(), percentage));
        } else {
            wanted = List.of();
        }
        List<WebApps.Route> current = webApps.routes(context, resourceGroup, app);
        context.evidence(PREVIOUS, describe(current));
        boolean same = current.size() == wanted.size()
                && current.stream()
                        .allMatch(c -> wanted.stream()
                                .anyMatch(w -> w.slot().equalsIgnoreCase(c.slot())
                                        && w.hostName().equalsIgnoreCase(c.hostName())
                                        && Double.compare(w.percentage(), c.percentage()) == 0));
        if (!same) {
            context.checkpoint();
            webApps.setRoutes(context, resourceGroup, app, wanted);
        }
        context.evidence(DISTRIBUTION, describe(wanted));
        context.evidence(CHANGED, Boolean.toString(!same));
    }

    private static String describe(List<WebApps.Route> routes) {
        return routes.stream().map(r -> r.slot() + "=" + format(r.percentage())).collect(Collectors.joining(","));
    }

    static String format(double percentage) {
        return percentage == Math.rint(percentage) ? Long.toString((long) percentage) : Double.toString(percentage);
    }

    @Override
    public String toString() {
        return "TrafficRoutingStep[" + id + ", " + resourceGroup + "/" + app + " " + slot + "=" + format(percentage)
                + "]";
    }

    /**
     * Builds a {@link TrafficRoutingStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final AppServiceRollback appService;
        private String id = "route-traffic";
        private String component = "app-service";
        private String resourceGroup;
        private String app;
        private String slot = "blue-previous";
        private double percentage = 100;
        private boolean requireRunningSlot = true;
        private String expectedVersion;
        private String brokenVersion;

        private Builder(AppServiceRollback appService) {
            this.appService = Objects.requireNonNull(appService, "appService");
        }

        /** The step id. Default: {@code route-traffic}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@code app-service}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The web app's resource group. Required. */
        public Builder resourceGroup(String resourceGroup) {
            this.resourceGroup = Args.resourceGroup(resourceGroup, "resourceGroup");
            return this;
        }

        /** The web app's name. Required. */
        public Builder app(String app) {
            this.app = Args.appName(app, "app");
            return this;
        }

        /** The deployment slot to route to (not production). Default: {@code blue-previous}. */
        public Builder slot(String slot) {
            this.slot = Args.slotName(slot, "slot");
            return this;
        }

        /**
         * The share of production traffic for the slot, 0 to 100 (0 clears the rules). Default: 100.
         */
        public Builder percentage(double percentage) {
            if (!(percentage >= 0 && percentage <= 100)) {
                throw new IllegalArgumentException("percentage must be between 0 and 100, but was " + percentage);
            }
            this.percentage = percentage;
            return this;
        }

        /**
         * Whether the preflight refuses a slot that is not {@code Running} (for a percentage above 0).
         * Default: true.
         */
        public Builder requireRunningSlot(boolean requireRunningSlot) {
            this.requireRunningSlot = requireRunningSlot;
            return this;
        }

        /**
         * The version production must serve after the rollback: traffic is routed to the slot only
         * while the slot serves it and production does not. Default: none (route as told).
         */
        public Builder expectedVersion(String expectedVersion) {
            this.expectedVersion = Arguments.requireText(expectedVersion, "expectedVersion");
            return this;
        }

        /**
         * The version production must stop serving: traffic is routed to the slot only while
         * production serves it and the slot does not. Default: none (route as told).
         */
        public Builder brokenVersion(String brokenVersion) {
            this.brokenVersion = Arguments.requireText(brokenVersion, "brokenVersion");
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if resourceGroup or app is missing
         */
        public TrafficRoutingStep build() {
            if (resourceGroup == null || app == null) {
                throw new IllegalStateException("resourceGroup and app are required");
            }
            return new TrafficRoutingStep(this);
        }
    }
}
