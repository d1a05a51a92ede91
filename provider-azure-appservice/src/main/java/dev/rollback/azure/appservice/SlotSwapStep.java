package dev.rollback.azure.appservice;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.appservice.internal.Args;
import dev.rollback.azure.appservice.internal.WebApps;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runbook's {@code az webapp deployment slot swap --slot blue-previous --target-slot production}:
 * swaps a deployment slot into production ({@code POST .../slots/{slot}/slotsswap}, a long-running
 * operation) and waits for it within the step's deadline ({@link StepContext#remaining()}).
 *
 * <p>"What production serves" is the site config's {@code linuxFxVersion} (else
 * {@code windowsFxVersion}): the container image or runtime stack. The expected version is the
 * configured {@link Builder#expectedVersion(String)}, or else what the slot serves when the step
 * first runs in a run (kept for that run's later attempts and recorded as evidence).
 *
 * <p>A swap is a toggle, so this step is <b>not idempotent</b>; it is made safe to retry and to
 * resume instead: before swapping it reads what production serves and does nothing when that already
 * is the expected version, and {@link #tookEffect(StepContext)} answers the same question after a
 * crash. After the swap it reads production again and fails if it does not serve the expected
 * version. Preflight (read-only): the slot exists and is {@code Running} ({@link SlotStateCheck}),
 * so nothing is swapped from a stopped slot.
 *
 * <p>Evidence: {@value #EXPECTED}, {@value #BEFORE} (what production served before), {@value #AFTER}
 * (after), {@value #SWAPPED}. Immutable configuration, thread-safe. It never stops, starts or deletes a
 * slot, never swaps into anything but production, and never swaps when production already serves
 * the expected version.
 */
public final class SlotSwapStep implements RollbackStep {
    /** Evidence key: the version production must serve after the swap. */
    public static final String EXPECTED = "swap.expectedVersion";
    /** Evidence key: what production served before. */
    public static final String BEFORE = "swap.productionBefore";
    /** Evidence key: what production served after. */
    public static final String AFTER = "swap.productionAfter";
    /** Evidence key: whether this attempt sent a swap ({@code false} when production already served it). */
    public static final String SWAPPED = "swap.swapped";

    private final AppServiceRollback appService;
    private final String id;
    private final String component;
    private final String resourceGroup;
    private final String app;
    private final String slot;
    private final Optional<String> expectedVersion;
    private final SlotStateCheck preflightCheck;
    /** The expected version per run id when none was configured: what the slot served at the first attempt. */
    private final Map<String, String> derivedExpected = new ConcurrentHashMap<>();

    private SlotSwapStep(Builder b) {
        this.appService = b.appService;
        this.id = b.id;
        this.component = b.component;
        this.resourceGroup = b.resourceGroup;
        this.app = b.app;
        this.slot = b.slot;
        this.expectedVersion = Optional.ofNullable(b.expectedVersion);
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

    @Override
    public void preflight(StepContext context) {
        preflightCheck.require(context);
    }

    @Override
    public void execute(StepContext context) {
        WebApps webApps = appService.webApps();
        String before = webApps.served(resourceGroup, app, Optional.empty());
        String expected = expected(context)
                .orElseGet(() -> derivedExpected.computeIfAbsent(
                        context.runId(), run -> webApps.served(resourceGroup, app, Optional.of(slot))));
        context.evidence(EXPECTED, Redaction.redact(expected));
        context.evidence(BEFORE, Redaction.redact(before));
        if (expected.equals(before)) {
            context.evidence(SWAPPED, "false");
            context.evidence(AFTER, Redaction.redact(before));
            return;
        }
        context.checkpoint();
        webApps.swapIntoProduction(resourceGroup, app, slot, context.remaining());
        context.evidence(SWAPPED, "true");
        String after = webApps.served(resourceGroup, app, Optional.empty());
        context.evidence(AFTER, Redaction.redact(after));
        if (!expected.equals(after)) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "the swap of slot " + slot + " into production of "
                            + resourceGroup + "/" + app + " finished, but production serves '" + Redaction.redact(after)
                            + "', not the expected '" + Redaction.redact(expected) + "'");
        }
    }

    /**
     * Whether production serves the expected version: true after the swap, false before it; empty
     * when no expected version is configured and this run recorded none.
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Optional<String> expected =
                expected(context).or(() -> Optional.ofNullable(derivedExpected.get(context.runId())));
        if (expected.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(expected.get().equals(appService.webApps().served(resourceGroup, app, Optional.empty())));
    }

    private Optional<String> expected(StepContext context) {
        if (expectedVersion.isPresent()) {
            return expectedVersion;
        }
        return context.evidenceOf(id, EXPECTED).filter(v -> !v.contains(Redaction.MASK));
    }

    @Override
    public String toString() {
        return "SlotSwapStep[" + id + ", " + resourceGroup + "/" + app + " " + slot + " -> production]";
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
         * {@code DOCKER|shop:v41}). Default: what the slot serves when the step first runs.
         */
        public Builder expectedVersion(String expectedVersion) {
            this.expectedVersion = Arguments.requireText(expectedVersion, "expectedVersion");
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if resourceGroup or app is missing
         */
        public SlotSwapStep build() {
            if (resourceGroup == null || app == null) {
                throw new IllegalStateException("resourceGroup and app are required");
            }
            return new SlotSwapStep(this);
        }
    }
}
