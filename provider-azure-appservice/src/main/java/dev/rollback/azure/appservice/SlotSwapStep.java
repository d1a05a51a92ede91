package dev.rollback.azure.appservice;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.AzureFailures;
import dev.rollback.azure.OperationStillRunningException;
import dev.rollback.azure.appservice.internal.Args;
import dev.rollback.azure.appservice.internal.WebApps;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The runbook's {@code az webapp deployment slot swap --slot blue-previous --target-slot production}:
 * swaps a deployment slot into production ({@code POST .../slots/{slot}/slotsswap}, a long-running
 * operation) and waits for it within the step's deadline, one poll at a time.
 *
 * <p>"What production serves" is the site config's {@code linuxFxVersion} (else
 * {@code windowsFxVersion}): the container image or runtime stack.
 *
 * <p><b>A swap is a toggle, so this step must know which way it goes.</b> It is built with the
 * version production must serve afterwards ({@link Builder#expectedVersion(String)}), or the broken
 * version production must stop serving ({@link Builder#brokenVersion(String)}), or both; there is no
 * default, because a swap "to whatever the slot serves" swaps the broken build back in when the plan
 * runs a second time. It reads what production serves <b>first</b>: when production already serves
 * the right version (a re-run, a retry, a resume) it sends nothing. It refuses, before any change, a
 * slot that does not serve the right version either (a swap would not roll back).
 *
 * <p><b>Never sent twice.</b> The swap goes through the manager's deadline-aware pipeline, which
 * never re-sends it. When its outcome is unknown (the answer or a poll was lost, or Azure refused it
 * with 409 because an operation still runs), the step reads production for up to
 * {@link Builder#reconcileWindow(Duration) reconcileWindow} (within the deadline): once production
 * serves the right version the swap took effect, and the step succeeds ({@value #RECONCILED}); if it
 * does not, the step throws {@link IndeterminateOutcomeException} and the executor asks
 * {@link #tookEffect(StepContext)} (production serves the right version or not) before any new
 * attempt, which reads production first again. Azure refuses a swap while another operation on the
 * site runs (409), so a repeat cannot swap twice. A swap Azure accepted and that still runs at the
 * deadline ends {@code HUMAN_DECISION_REQUIRED}: it may still land.
 *
 * <p><b>Traffic routing follows the truth.</b> Whenever it ends (swapped, nothing to do, or failed),
 * the step reads the production site's traffic-routing rules: a rule that sends users to this slot
 * while the slot does not serve the right version and production does (after a swap the slot holds
 * the broken build) is removed, routing that traffic back to production; a rule to a slot that serves
 * the right version is left, as the runbook wants it while production does not. What it did is in
 * the evidence ({@value #ROUTING}) and in any failure's message.
 *
 * <p>Preflight (read-only): the slot exists and is {@code Running} ({@link SlotStateCheck}).
 * Evidence: {@value #EXPECTED}, {@value #BROKEN}, {@value #BEFORE} (what production served before),
 * {@value #AFTER} (after), {@value #SWAPPED}, {@value #RECONCILED}, {@value #ROUTING}. Not idempotent
 * (a toggle), made safe to retry and resume by reading state. Immutable configuration, thread-safe.
 * It never stops, starts or deletes a slot, never swaps into anything but production, never sends a
 * swap when production already serves the right version, and never sends one twice in an attempt.
 */
public final class SlotSwapStep implements RollbackStep {
    /** Evidence key: the version production must serve after the swap (configured, or the slot's when only the broken one is). */
    public static final String EXPECTED = "swap.expectedVersion";
    /** Evidence key: the version production must not serve, if configured. */
    public static final String BROKEN = "swap.brokenVersion";
    /** Evidence key: what production served before. */
    public static final String BEFORE = "swap.productionBefore";
    /** Evidence key: what production served after. */
    public static final String AFTER = "swap.productionAfter";
    /** Evidence key: whether this attempt sent a swap ({@code false} when production already served the right version). */
    public static final String SWAPPED = "swap.swapped";
    /** Evidence key: how an unknown outcome of the swap was settled by reading production, if it had to be. */
    public static final String RECONCILED = "swap.reconciled";
    /** Evidence key: what the step did to the traffic-routing rules that point at the slot. */
    public static final String ROUTING = "swap.routing";

    private static final Duration LONGEST_RESERVE = Duration.ofSeconds(15);

    private final AppServiceRollback appService;
    private final String id;
    private final String component;
    private final String resourceGroup;
    private final String app;
    private final String slot;
    private final Optional<String> expectedVersion;
    private final Optional<String> brokenVersion;
    private final Duration reconcileWindow;
    private final SlotStateCheck preflightCheck;

    private SlotSwapStep(Builder b) {
        this.appService = b.appService;
        this.id = b.id;
        this.component = b.component;
        this.resourceGroup = b.resourceGroup;
        this.app = b.app;
        this.slot = b.slot;
        this.expectedVersion = Optional.ofNullable(b.expectedVersion);
        this.brokenVersion = Optional.ofNullable(b.brokenVersion);
        this.reconcileWindow = b.reconcileWindow;
        this.preflightCheck = SlotStateCheck.builder(appService)
                .resourceGroup(resourceGroup)
                .app(app)
                .slot(slot)
                .build();
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

    /** The web app and the slot swapped into its production: {@code resourceGroup/app/slots/slot}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(resourceGroup + "/" + app + "/slots/" + slot);
    }

    /** The version production must serve afterwards, if configured. */
    public Optional<String> expectedVersion() {
        return expectedVersion;
    }

    /** The version production must stop serving, if configured. */
    public Optional<String> brokenVersion() {
        return brokenVersion;
    }

    @Override
    public void preflight(StepContext context) {
        preflightCheck.require(context);
    }

    /** Whether {@code version} is what production must serve: the expected one, and not the broken one. */
    private boolean right(String version) {
        return expectedVersion.map(version::equals).orElse(true)
                && brokenVersion.map(b -> !b.equals(version)).orElse(true);
    }

    private String rightVersion() {
        return expectedVersion
                .map(e -> "'" + Redaction.redact(e) + "'")
                .orElseGet(() -> "anything but '" + Redaction.redact(brokenVersion.orElseThrow()) + "'");
    }

    @Override
    public void execute(StepContext context) {
        WebApps webApps = appService.webApps();
        brokenVersion.ifPresent(b -> context.evidence(BROKEN, Redaction.redact(b)));
        String before = webApps.served(context, resourceGroup, app, Optional.empty());
        context.evidence(BEFORE, Redaction.redact(before));
        if (right(before)) {
            context.evidence(EXPECTED, Redaction.redact(expectedVersion.orElse(before)));
            context.evidence(SWAPPED, "false");
            context.evidence(AFTER, Redaction.redact(before));
            context.evidence(ROUTING, routeAwayFromWrongSlot(context));
            return;
        }
        String slotServes = webApps.served(context, resourceGroup, app, Optional.of(slot));
        if (!right(slotServes)) {
            String routing = routingNote(context);
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "slot " + slot + " of " + resourceGroup + "/" + app + " serves '" + Redaction.redact(slotServes)
                            + "' and production serves '" + Redaction.redact(before)
                            + "'; production must serve " + rightVersion()
                            + ", which a swap would not bring, so nothing was sent; traffic routing: " + routing);
        }
        String expected = expectedVersion.orElse(slotServes);
        context.evidence(EXPECTED, Redaction.redact(expected));
        context.checkpoint();
        context.evidence(SWAPPED, "true");
        try {
            webApps.swapIntoProduction(context, resourceGroup, app, slot, reserve(context));
        } catch (IndeterminateOutcomeException e) {
            settle(context, e, "its outcome is unknown (" + e.getMessage() + ")");
        } catch (OperationStillRunningException e) {
            if (!awaitLanding(context, "the swap still runs in Azure")) {
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED,
                        e.getMessage() + "; production still serves '" + Redaction.redact(lastServed(context))
                                + "', so the swap may yet land: look at production before swapping again; traffic"
                                + " routing: " + routingNote(context));
            }
            context.evidence(
                    RECONCILED,
                    "the swap was still running at the deadline's reserve; production then"
                            + " served the expected version: it took effect");
        } catch (RollbackException e) {
            if (AzureFailures.status(e) == 409) {
                // Azure refuses a swap while another operation on the site runs: maybe an earlier one of ours.
                settle(
                        context,
                        e,
                        "Azure refused it with 409 (" + AzureFailures.armCode(e) + "): an operation still runs");
            } else {
                if (!(e instanceof StepInterruptedException)) {
                    context.evidence(AFTER, Redaction.redact(lastServed(context)));
                }
                throw withRouting(context, e);
            }
        }
        String after = webApps.served(context, resourceGroup, app, Optional.empty());
        context.evidence(AFTER, Redaction.redact(after));
        if (!right(after)) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "the swap of slot " + slot + " into production of " + resourceGroup + "/" + app
                            + " finished, but production serves '" + Redaction.redact(after) + "', not "
                            + rightVersion() + "; traffic routing: " + routingNote(context));
        }
        context.evidence(ROUTING, routeAwayFromWrongSlot(context));
    }

    /**
     * After a swap whose outcome is unknown: reads production until it serves the right version (the
     * swap took effect) or the window ends. Throws when it did not land, for the executor to settle
     * with {@link #tookEffect(StepContext)}.
     */
    private void settle(StepContext context, RollbackException cause, String why) {
        if (!awaitLanding(context, "the swap's " + why)) {
            String seen = lastServed(context);
            throw new IndeterminateOutcomeException(
                    "the swap of slot " + slot + " into production of " + resourceGroup + "/" + app + ": " + why
                            + "; production still serves '" + Redaction.redact(seen) + "' after reading it for up to "
                            + reconcileWindow + "; traffic routing: " + routingNote(context),
                    cause);
        }
        context.evidence(
                RECONCILED,
                Redaction.redact(
                        "the swap's " + why + "; production then served the expected version: it took effect"));
    }

    /** Reads production until it serves the right version, for the reconcile window within the deadline. */
    private boolean awaitLanding(StepContext context, String why) {
        WebApps webApps = appService.webApps();
        long until = context.clock().monotonicNanos() + reconcileWindow.toNanos();
        Duration pause = shortest(webApps.pollInterval(), Duration.ofSeconds(5));
        for (int reads = 1; ; reads++) {
            String served = webApps.served(context, resourceGroup, app, Optional.empty());
            if (right(served)) {
                return true;
            }
            context.progress("waiting for the swap to land (" + why + "): production serves '" + served + "' (read "
                    + reads + ")");
            Duration left = context.remaining().minus(pause).minus(Duration.ofSeconds(1));
            if (context.clock().monotonicNanos() >= until || left.isNegative()) {
                return false;
            }
            try {
                context.clock().sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException("waiting for the swap of slot " + slot + " to land was interrupted");
            }
        }
    }

    private String lastServed(StepContext context) {
        try {
            return appService.webApps().served(context, resourceGroup, app, Optional.empty());
        } catch (RuntimeException e) {
            return "unknown (" + Redaction.describe(e) + ")";
        }
    }

    /**
     * Removes the traffic-routing rules that send users to this slot while it does not serve the right
     * version and production does; returns what it found and did.
     */
    private String routeAwayFromWrongSlot(StepContext context) {
        WebApps webApps = appService.webApps();
        List<WebApps.Route> routes = webApps.routes(context, resourceGroup, app);
        List<WebApps.Route> toSlot =
                routes.stream().filter(r -> r.slot().equalsIgnoreCase(slot)).toList();
        if (toSlot.isEmpty()) {
            return "no traffic routed to " + slot;
        }
        String routed = describe(toSlot);
        String slotServes = webApps.served(context, resourceGroup, app, Optional.of(slot));
        if (right(slotServes)) {
            return "left " + routed + ": " + slot + " serves '" + Redaction.redact(slotServes)
                    + "', the version to roll back to";
        }
        String production = webApps.served(context, resourceGroup, app, Optional.empty());
        if (!right(production)) {
            return "left " + routed + ": neither production ('" + Redaction.redact(production) + "') nor " + slot
                    + " ('" + Redaction.redact(slotServes) + "') serves " + rightVersion();
        }
        webApps.setRoutes(
                context,
                resourceGroup,
                app,
                routes.stream().filter(r -> !toSlot.contains(r)).toList());
        return "routed " + routed + " back to production: " + slot + " serves '" + Redaction.redact(slotServes)
                + "' and production serves '" + Redaction.redact(production) + "'";
    }

    /** The routing check on a failure path: never hides the failure it accompanies. */
    private String routingNote(StepContext context) {
        String note;
        try {
            note = routeAwayFromWrongSlot(context);
        } catch (RuntimeException e) {
            note = "could not be checked (" + Redaction.describe(e) + ")";
        }
        context.evidence(ROUTING, Redaction.redact(note));
        return note;
    }

    private RollbackException withRouting(StepContext context, RollbackException e) {
        if (e instanceof StepInterruptedException) {
            return e;
        }
        String message = e.getMessage() + "; traffic routing: " + routingNote(context);
        if (e instanceof TransientFailureException t) {
            return t.retryAfter().isPresent()
                    ? new TransientFailureException(message, t.retryAfter().get(), e)
                    : new TransientFailureException(message, e);
        }
        return new RollbackException(e.code(), message, e);
    }

    private static String describe(List<WebApps.Route> routes) {
        return routes.stream()
                .map(r -> r.slot() + "=" + TrafficRoutingStep.format(r.percentage()))
                .collect(Collectors.joining(","));
    }

    /** What the swap's wait leaves for reading production and fixing routing afterwards. */
    private static Duration reserve(StepContext context) {
        Duration quarter = context.remaining().dividedBy(4);
        return quarter.compareTo(LONGEST_RESERVE) < 0 ? quarter : LONGEST_RESERVE;
    }

    private static Duration shortest(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /**
     * Whether production serves the right version (the expected one, not the broken one), read from
     * Azure now: true after the swap, false before it. The executor asks it before repeating an attempt
     * whose swap had an unknown outcome, and on resume.
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(right(appService.webApps().served(context, resourceGroup, app, Optional.empty())));
    }

    @Override
    public String toString() {
        return "SlotSwapStep[" + id + ", " + resourceGroup + "/" + app + " " + slot + " -> production, "
                + expectedVersion.map(v -> "expected " + Redaction.redact(v)).orElse("")
                + (expectedVersion.isPresent() && brokenVersion.isPresent() ? ", " : "")
                + brokenVersion.map(v -> "broken " + Redaction.redact(v)).orElse("") + "]";
    }

    /**
     * Builds a {@link SlotSwapStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final AppServiceRollback appService;
        private String id = "swap-slots";
        private String component = "app-service";
        private String resourceGroup;
        private String app;
        private String slot = "blue-previous";
        private String expectedVersion;
        private String brokenVersion;
        private Duration reconcileWindow = Duration.ofMinutes(2);

        private Builder(AppServiceRollback appService) {
            this.appService = Objects.requireNonNull(appService, "appService");
        }

        /** The step id. Default: {@code swap-slots}. */
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

        /** The deployment slot to swap into production. Default: {@code blue-previous}. */
        public Builder slot(String slot) {
            this.slot = Args.slotName(slot, "slot");
            return this;
        }

        /**
         * What production must serve after the swap (its {@code linuxFxVersion}, such as
         * {@code DOCKER|shop:v41}). This or {@link #brokenVersion(String)} (or both) is required.
         */
        public Builder expectedVersion(String expectedVersion) {
            this.expectedVersion = Arguments.requireText(expectedVersion, "expectedVersion");
            return this;
        }

        /**
         * What production must stop serving (the build being rolled back, such as
         * {@code DOCKER|shop:v42}): the swap is sent only while production serves it, and only from a
         * slot that does not. This or {@link #expectedVersion(String)} (or both) is required.
         */
        public Builder brokenVersion(String brokenVersion) {
            this.brokenVersion = Arguments.requireText(brokenVersion, "brokenVersion");
            return this;
        }

        /**
         * How long the step reads production, after a swap whose outcome is unknown, waiting for it to
         * land before it leaves the decision to the executor (never past the deadline). Azure swaps
         * take minutes. 0 s to 30 min. Default: 2 minutes.
         */
        public Builder reconcileWindow(Duration reconcileWindow) {
            Objects.requireNonNull(reconcileWindow, "reconcileWindow");
            if (reconcileWindow.isNegative() || reconcileWindow.compareTo(Duration.ofMinutes(30)) > 0) {
                throw new IllegalArgumentException(
                        "reconcileWindow must be between 0 and 30 minutes, but was " + reconcileWindow);
            }
            this.reconcileWindow = reconcileWindow;
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if resourceGroup or app is missing, if neither expectedVersion
         *     nor brokenVersion is set, or if they are the same
         */
        public SlotSwapStep build() {
            if (resourceGroup == null || app == null) {
                throw new IllegalStateException("resourceGroup and app are required");
            }
            if (expectedVersion == null && brokenVersion == null) {
                throw new IllegalStateException("expectedVersion or brokenVersion is required for the swap of slot "
                        + slot + " of " + resourceGroup + "/" + app
                        + ": a swap is a toggle, and without knowing which version production must serve a second"
                        + " run would swap the broken build back in");
            }
            if (expectedVersion != null && expectedVersion.equals(brokenVersion)) {
                throw new IllegalStateException(
                        "expectedVersion and brokenVersion must differ, but both were '" + expectedVersion + "'");
            }
            return new SlotSwapStep(this);
        }
    }
}
