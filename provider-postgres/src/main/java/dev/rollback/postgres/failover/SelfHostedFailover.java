package dev.rollback.postgres.failover;

import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.ConnectionSwitchStep;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.SwitchableDataSource;
import dev.rollback.postgres.internal.ToolArguments;
import java.time.Duration;
import java.util.Objects;

/**
 * One self-hosted database failover, described once: the old primary, the streaming replica that takes
 * over, the application's data source, and the {@link TimelineFence} its connections go through. It
 * makes the four parts of the failover, wired to each other: {@link #fenceStep()} (fence the old
 * primary), {@link #promotionStep()} (promote the replica once it holds what the fenced primary
 * wrote), {@link #switchStep()} (move the application's connections to the promoted replica, through
 * the fence) and {@link #verifier()} (the application writes to a primary on the new timeline).
 * {@link dev.rollback.postgres.PostgresRollback#addSelfHostedFailover} puts them in a plan in that
 * order.
 *
 * <p>Give the application the fence's guard from the start ({@code SwitchableDataSource.of(fence.guard(
 * oldPrimary.dataSource()), "primary")}), so that it refuses the old primary as soon as the fence or
 * the promotion tells the fence about it.
 *
 * <p>Immutable and thread-safe. It connects to nothing until a step runs.
 */
public final class SelfHostedFailover {
    private final PostgresEndpoint oldPrimary;
    private final PostgresEndpoint replica;
    private final SwitchableDataSource application;
    private final TimelineFence fence;
    private final Duration maxDataLoss;
    private final String component;
    private final Duration drainTimeout;
    private final OldPrimaryFenceStep fenceStep;
    private final ReplicaPromotionStep promotionStep;

    private SelfHostedFailover(Builder b) {
        this.oldPrimary = b.oldPrimary;
        this.replica = b.replica;
        this.application = b.application;
        this.fence = b.fence == null ? TimelineFence.create() : b.fence;
        this.maxDataLoss = b.maxDataLoss;
        this.component = b.component;
        this.drainTimeout = b.drainTimeout;
        this.fenceStep = OldPrimaryFenceStep.builder()
                .component(component)
                .oldPrimary(oldPrimary)
                .replica(replica)
                .fence(fence)
                .maxDataLoss(maxDataLoss)
                .build();
        this.promotionStep = ReplicaPromotionStep.builder()
                .component(component)
                .replica(replica)
                .primary(oldPrimary)
                .afterFence(fenceStep)
                .fence(fence)
                .maxDataLoss(maxDataLoss)
                .build();
    }

    /** A builder; the old primary, the replica and the application's data source are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The fence the application's connections go through. */
    public TimelineFence fence() {
        return fence;
    }

    /** The component the steps belong to. */
    public String component() {
        return component;
    }

    /** The most data the failover may lose. */
    public Duration maxDataLoss() {
        return maxDataLoss;
    }

    /** Step {@code fence-old-primary}; its preflight checks that the replica can take over. */
    public OldPrimaryFenceStep fenceStep() {
        return fenceStep;
    }

    /** Step {@code promote-replica}, after the fence: it catches up to the fenced primary's last WAL. */
    public ReplicaPromotionStep promotionStep() {
        return promotionStep;
    }

    /** Step {@code switch-to-promoted-replica}: the application's connections go to the replica, through the fence. */
    public ConnectionSwitchStep switchStep() {
        return ConnectionSwitchStep.builder()
                .id("switch-to-promoted-replica")
                .component(component)
                .switchable(application)
                .target(fence.guard(replica.dataSource()), replica.describe())
                .drainTimeout(drainTimeout)
                .build();
    }

    /** Verifier {@code writable-primary}: the application writes to the promoted replica, on its new timeline. */
    public WritablePrimaryVerifier verifier() {
        return WritablePrimaryVerifier.of(application).promotedBy(promotionStep);
    }

    @Override
    public String toString() {
        return "SelfHostedFailover[" + oldPrimary.describe() + " -> " + replica.describe() + "]";
    }

    /**
     * Builds a {@link SelfHostedFailover}. Setters check their argument at once; not thread-safe;
     * {@link #build()} may be called again.
     */
    public static final class Builder {
        private PostgresEndpoint oldPrimary;
        private PostgresEndpoint replica;
        private SwitchableDataSource application;
        private TimelineFence fence;
        private Duration maxDataLoss = Duration.ofMinutes(1);
        private String component = "postgres";
        private Duration drainTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** The primary that failed: fenced, never written to by the failover otherwise. Required. */
        public Builder oldPrimary(PostgresEndpoint oldPrimary) {
            this.oldPrimary = Objects.requireNonNull(oldPrimary, "oldPrimary");
            return this;
        }

        /** The streaming replica that takes over. Required. */
        public Builder replica(PostgresEndpoint replica) {
            this.replica = Objects.requireNonNull(replica, "replica");
            return this;
        }

        /** The data source the application writes through. Required. */
        public Builder application(SwitchableDataSource application) {
            this.application = Objects.requireNonNull(application, "application");
            return this;
        }

        /** The fence the application's connections already go through. Default: a new one. */
        public Builder fence(TimelineFence fence) {
            this.fence = Objects.requireNonNull(fence, "fence");
            return this;
        }

        /** The most data the failover may lose. Default: 1 minute (the runbook's database RPO); zero or more. */
        public Builder maxDataLoss(Duration maxDataLoss) {
            this.maxDataLoss = Arguments.requireNotNegative(maxDataLoss, "maxDataLoss");
            return this;
        }

        /** The component of the steps. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** How long the switch waits for the application to return old connections. Default: 30 s; positive. */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Arguments.requirePositive(drainTimeout, "drainTimeout");
            return this;
        }

        /**
         * The failover.
         *
         * @throws IllegalStateException if a required value is missing or old primary and replica are
         *     one server
         */
        public SelfHostedFailover build() {
            if (oldPrimary == null || replica == null || application == null) {
                throw new IllegalStateException("oldPrimary, replica and application are required");
            }
            return new SelfHostedFailover(this);
        }
    }
}
