package dev.rollback.azure.appservice;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.appservice.internal.Args;
import dev.rollback.azure.appservice.internal.WebApps;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's {@code az webapp show --slot blue-previous --query state}: a {@link Verifier} that
 * passes when the backup slot exists and is in the expected state (default {@code Running}), and
 * fails with the state it saw (or "not found") otherwise. One {@code GET .../slots/{slot}}.
 *
 * <p>Also usable as a preflight ({@link #require(StepContext)}, used by {@link SlotSwapStep} and
 * {@link TrafficRoutingStep}) and as a plan step ({@link #asStep(String, String)}). Read-only and
 * idempotent; immutable and thread-safe. It never starts, stops or changes a slot. An Azure failure
 * while reading is thrown (mapped as {@link AppServiceRollback} describes), never reported as a pass.
 */
public final class SlotStateCheck implements Verifier {
    private final AppServiceRollback appService;
    private final String name;
    private final String resourceGroup;
    private final String app;
    private final String slot;
    private final String expectedState;

    private SlotStateCheck(Builder b) {
        this.appService = b.appService;
        this.name = b.name;
        this.resourceGroup = b.resourceGroup;
        this.app = b.app;
        this.slot = b.slot;
        this.expectedState = b.expectedState;
    }

    /** A builder on {@code appService}. */
    public static Builder builder(AppServiceRollback appService) {
        return new Builder(appService);
    }

    @Override
    public String name() {
        return name;
    }

    /** The slot this check reads. */
    public String slot() {
        return slot;
    }

    @Override
    public Verification verify(StepContext context) {
        String checked =
                "slot " + slot + " of web app " + resourceGroup + "/" + app + " exists and is " + expectedState;
        Optional<WebApps.Slot> found = appService.webApps().slot(context, resourceGroup, app, slot);
        if (found.isEmpty()) {
            return Verification.failed(name, checked, "slot not found")
                    .withDetail("slot", slot)
                    .withDetail("state", "NotFound");
        }
        WebApps.Slot s = found.get();
        Verification v = s.state().equalsIgnoreCase(expectedState)
                ? Verification.passed(name, checked, "state " + s.state())
                : Verification.failed(name, checked, "state " + s.state());
        return v.withDetail("slot", slot).withDetail("state", s.state()).withDetail("hostName", s.defaultHostName());
    }

    /**
     * Runs the check and throws if it fails: for preflights.
     *
     * @throws RollbackException {@code STEP_FAILED} naming the slot and the state seen
     */
    public void require(StepContext context) {
        Verification v = verify(context);
        if (!v.passed()) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "backup slot check failed: " + v.checked() + ", but " + v.observed() + "; nothing was changed");
        }
    }

    /**
     * This check as a read-only, idempotent plan step: it fails when the check fails, with the state
     * as evidence ({@code slot.state}, {@code slot.hostName}); it acts on {@code resourceGroup/app/slots/slot}.
     */
    public RollbackStep asStep(String id, String component) {
        String checkedId = Arguments.requireId(id, "id");
        String checkedComponent = Arguments.requireId(component, "component");
        return RollbackStep.builder(checkedId, checkedComponent)
                .idempotent(true)
                .actsOn(resourceGroup + "/" + app + "/slots/" + slot)
                .action(context -> {
                    Verification v = verify(context);
                    context.evidence("slot.state", v.details().getOrDefault("state", "unknown"));
                    context.evidence("slot.hostName", v.details().getOrDefault("hostName", ""));
                    if (!v.passed()) {
                        throw new RollbackException(
                                ErrorCode.STEP_FAILED,
                                "backup slot check failed: " + v.checked() + ", but " + v.observed());
                    }
                })
                .build();
    }

    @Override
    public String toString() {
        return "SlotStateCheck[" + resourceGroup + "/" + app + "/" + slot + " is " + expectedState + "]";
    }

    /**
     * Builds a {@link SlotStateCheck}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final AppServiceRollback appService;
        private String name = "backup-slot-state";
        private String resourceGroup;
        private String app;
        private String slot = "blue-previous";
        private String expectedState = "Running";

        private Builder(AppServiceRollback appService) {
            this.appService = Objects.requireNonNull(appService, "appService");
        }

        /** The verifier's name in reports. Default: {@code backup-slot-state}. */
        public Builder name(String name) {
            this.name = Arguments.requireId(name, "name");
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

        /** The deployment slot to check (not production). Default: {@code blue-previous}. */
        public Builder slot(String slot) {
            this.slot = Args.slotName(slot, "slot");
            return this;
        }

        /** The state that passes, compared ignoring case. Default: {@code Running}. */
        public Builder expectedState(String expectedState) {
            this.expectedState = Arguments.requireText(expectedState, "expectedState");
            return this;
        }

        /**
         * The check.
         *
         * @throws IllegalStateException if resourceGroup or app is missing
         */
        public SlotStateCheck build() {
            if (resourceGroup == null || app == null) {
                throw new IllegalStateException("resourceGroup and app are required");
            }
            return new SlotStateCheck(this);
        }
    }
}
