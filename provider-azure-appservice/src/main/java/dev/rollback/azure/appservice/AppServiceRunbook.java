package dev.rollback.azure.appservice;

import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.appservice.internal.Args;
import dev.rollback.http.HealthCheckVerifier;
import java.util.Objects;
import java.util.Optional;

/**
 * What the runbook's App Service rollback needs to know: the web app, its backup slot, the share of
 * traffic to route, the version production must serve afterwards, and the health check. Used by
 * {@link AppServiceRollback#runbookPlan(AppServiceRunbook)} and
 * {@link AppServiceRollback#addRunbookSteps(dev.rollback.api.RollbackPlan.Builder, AppServiceRunbook)}.
 *
 * <p>Immutable and thread-safe; it holds configuration only and never calls anything.
 */
public final class AppServiceRunbook {
    private final String planName;
    private final String component;
    private final String stepIdPrefix;
    private final String resourceGroup;
    private final String app;
    private final String backupSlot;
    private final double percentage;
    private final Optional<String> expectedVersion;
    private final Optional<String> brokenVersion;
    private final HealthCheckVerifier healthCheck;

    private AppServiceRunbook(Builder b) {
        this.planName = b.planName;
        this.component = b.component;
        this.stepIdPrefix = b.stepIdPrefix;
        this.resourceGroup = b.resourceGroup;
        this.app = b.app;
        this.backupSlot = b.backupSlot;
        this.percentage = b.percentage;
        this.expectedVersion = Optional.ofNullable(b.expectedVersion);
        this.brokenVersion = Optional.ofNullable(b.brokenVersion);
        this.healthCheck = b.healthCheck;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The plan's name when built as a whole plan. */
    public String planName() {
        return planName;
    }

    /** The component of every step. */
    public String component() {
        return component;
    }

    /** The prefix of every step id (empty by default). */
    public String stepIdPrefix() {
        return stepIdPrefix;
    }

    /** The web app's resource group. */
    public String resourceGroup() {
        return resourceGroup;
    }

    /** The web app. */
    public String app() {
        return app;
    }

    /** The backup slot that is routed to and swapped into production. */
    public String backupSlot() {
        return backupSlot;
    }

    /** The share of production traffic routed to the backup slot before the swap. */
    public double percentage() {
        return percentage;
    }

    /** What production must serve after the swap, if configured. */
    public Optional<String> expectedVersion() {
        return expectedVersion;
    }

    /** What production must stop serving, if configured. */
    public Optional<String> brokenVersion() {
        return brokenVersion;
    }

    /** The health check run after the last step. */
    public HealthCheckVerifier healthCheck() {
        return healthCheck;
    }

    /**
     * Builds an {@link AppServiceRunbook}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private String planName = "app-service-rollback";
        private String component = "app-service";
        private String stepIdPrefix = "";
        private String resourceGroup;
        private String app;
        private String backupSlot = "blue-previous";
        private double percentage = 100;
        private String expectedVersion;
        private String brokenVersion;
        private HealthCheckVerifier healthCheck;

        private Builder() {}

        /** The plan's name. Default: {@code app-service-rollback}. */
        public Builder planName(String planName) {
            this.planName = Arguments.requireId(planName, "planName");
            return this;
        }

        /** The component. Default: {@code app-service}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** A prefix for the step ids, to place two fragments in one plan. Default: none. */
        public Builder stepIdPrefix(String stepIdPrefix) {
            Objects.requireNonNull(stepIdPrefix, "stepIdPrefix");
            this.stepIdPrefix = stepIdPrefix.isEmpty() ? "" : Arguments.requireId(stepIdPrefix, "stepIdPrefix");
            return this;
        }

        /** The web app's resource group. Required. */
        public Builder resourceGroup(String resourceGroup) {
            this.resourceGroup = Args.resourceGroup(resourceGroup, "resourceGroup");
            return this;
        }

        /** The web app. Required. */
        public Builder app(String app) {
            this.app = Args.appName(app, "app");
            return this;
        }

        /** The backup slot. Default: {@code blue-previous}. */
        public Builder backupSlot(String backupSlot) {
            this.backupSlot = Args.slotName(backupSlot, "backupSlot");
            return this;
        }

        /** The share of production traffic routed to the backup slot, above 0 and at most 100. Default: 100. */
        public Builder percentage(double percentage) {
            if (!(percentage > 0 && percentage <= 100)) {
                throw new IllegalArgumentException("percentage must be above 0 and at most 100, but was " + percentage);
            }
            this.percentage = percentage;
            return this;
        }

        /**
         * What production must serve after the swap; see {@link SlotSwapStep.Builder#expectedVersion(String)}.
         * This or {@link #brokenVersion(String)} (or both) is required.
         */
        public Builder expectedVersion(String expectedVersion) {
            this.expectedVersion = Arguments.requireText(expectedVersion, "expectedVersion");
            return this;
        }

        /**
         * What production must stop serving; see {@link SlotSwapStep.Builder#brokenVersion(String)}.
         * This or {@link #expectedVersion(String)} (or both) is required.
         */
        public Builder brokenVersion(String brokenVersion) {
            this.brokenVersion = Arguments.requireText(brokenVersion, "brokenVersion");
            return this;
        }

        /** The health check. Required. */
        public Builder healthCheck(HealthCheckVerifier healthCheck) {
            this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
            return this;
        }

        /**
         * The runbook configuration.
         *
         * @throws IllegalStateException if resourceGroup, app or healthCheck is missing, or neither
         *     expectedVersion nor brokenVersion is set (a swap is a toggle: it must know which way it goes)
         */
        public AppServiceRunbook build() {
            if (resourceGroup == null || app == null || healthCheck == null) {
                throw new IllegalStateException("resourceGroup, app and healthCheck are required");
            }
            if (expectedVersion == null && brokenVersion == null) {
                throw new IllegalStateException("expectedVersion or brokenVersion is required: the runbook swaps"
                        + " slots, a toggle, and without knowing which version production must serve a second run"
                        + " would swap the broken build back in");
            }
            if (expectedVersion != null && expectedVersion.equals(brokenVersion)) {
                throw new IllegalStateException(
                        "expectedVersion and brokenVersion must differ, but both were '" + expectedVersion + "'");
            }
            return new AppServiceRunbook(this);
        }
    }
}
