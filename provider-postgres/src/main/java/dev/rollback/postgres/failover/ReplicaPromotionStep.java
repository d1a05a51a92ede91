package dev.rollback.postgres.failover;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.ToolArguments;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's database failover, self-hosted: promotes a streaming replica to primary with
 * {@code SELECT pg_promote(wait => true, wait_seconds => n)}, n bounded by the step's deadline.
 *
 * <p>Preflight (read-only) checks the replica is in recovery, replaying (not paused) and close enough
 * to its primary: the data a promotion would lose, measured from replication (see below), must be
 * within {@link Builder#maxDataLoss(Duration)} (default one minute, the runbook's database RPO); the
 * estimate is recorded as {@link EvidenceKey#DATA_LOSS_WINDOW}, so the report's RPO figure is this
 * measurement. A replica and a primary of different clusters (their {@code system_identifier}s
 * differ) are refused.
 *
 * <p>Execute: when the plan fenced the old primary first ({@link Builder#afterFence}), it waits (up to
 * {@link Builder#catchUpTimeout(Duration)}, within the deadline, reporting progress per look) until the
 * replica holds all WAL up to the position the fence read after stopping the old primary's writes:
 * then nothing is lost and the window is zero. Otherwise the window is bounded by the replica's last
 * contact with the primary (the later of the last replayed commit and the last message its WAL
 * receiver got), or zero when the primary still answers and the replica holds all its WAL. Above the
 * allowed data loss it refuses to promote. Then it promotes, and records the new timeline, the WAL
 * position the timeline forked from and the cluster's system identifier, and tells the
 * {@link TimelineFence} (if given) that primaries of this cluster on older timelines are fenced.
 *
 * <p>{@linkplain #idempotent() Idempotent}: a replica that is already a primary is not promoted again;
 * the step says so ({@value #ALREADY_PROMOTED} {@code true}) and records its timeline. A promotion
 * that did not finish within its wait goes on in the server; the step then fails as transient and a
 * retry finds it done. {@link #tookEffect(StepContext)}: the replica is no longer in recovery.
 *
 * <p>The replica's login needs the right to call {@code pg_promote} (a superuser, or {@code GRANT
 * EXECUTE ON FUNCTION pg_promote TO ...}). Evidence: {@value #TIMELINE}, {@value #FORK_LSN}, {@value
 * #SYSTEM_IDENTIFIER}, {@value #ALREADY_PROMOTED}, {@value #LAG_BYTES}, {@value #DATA_LOSS_BASIS},
 * {@link EvidenceKey#DATA_LOSS_WINDOW}. Not destructive (the fence and the switch are what cut the old
 * primary off). Immutable and thread-safe. It never writes to the old primary and never promotes a
 * replica whose loss it cannot bound.
 */
public final class ReplicaPromotionStep implements RollbackStep {
    /** Evidence key: the promoted server's timeline, as WAL file names write it ({@code 00000002}). */
    public static final String TIMELINE = "promote.timeline";
    /** Evidence key: the WAL position the new timeline forked from (the last record replayed in recovery). */
    public static final String FORK_LSN = "promote.forkLsn";
    /** Evidence key: the cluster's system identifier. */
    public static final String SYSTEM_IDENTIFIER = "promote.systemIdentifier";
    /** Evidence key: {@code true} when the replica was a primary already and nothing was done. */
    public static final String ALREADY_PROMOTED = "promote.alreadyPromoted";
    /** Evidence key: the bytes of the old primary's WAL the replica lacked when it was promoted, when known. */
    public static final String LAG_BYTES = "promote.lagBytes";
    /** Evidence key: how the data-loss window was measured. */
    public static final String DATA_LOSS_BASIS = "promote.dataLossBasis";

    private static final Duration CATCH_UP_LOOK = Duration.ofMillis(100);

    private final String id;
    private final String component;
    private final PostgresEndpoint replica;
    private final Optional<PostgresEndpoint> primary;
    private final Optional<String> fenceStepId;
    private final Optional<TimelineFence> fence;
    private final Duration maxDataLoss;
    private final Duration promoteTimeout;
    private final Duration catchUpTimeout;
    private final Duration reachTimeout;

    private ReplicaPromotionStep(Builder b) {
        this.id = b.id;
        this.component = b.component;
        this.replica = b.replica;
        this.primary = Optional.ofNullable(b.primary);
        this.fenceStepId = Optional.ofNullable(b.fenceStepId);
        this.fence = Optional.ofNullable(b.fence);
        this.maxDataLoss = b.maxDataLoss;
        this.promoteTimeout = b.promoteTimeout;
        this.catchUpTimeout = b.catchUpTimeout;
        this.reachTimeout = b.reachTimeout;
    }

    /** A builder; the replica is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The replica promoted: {@code host:port/database}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(replica.describe());
    }

    /** Yes: promoting a promoted server does nothing and says so. */
    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) {
        ServerState state = Replication.read(replica, bounded(context, reachTimeout), "reading the replica");
        if (!state.inRecovery()) {
            context.evidence(ALREADY_PROMOTED, "true");
            context.evidence(TIMELINE, state.timelineText());
            return;
        }
        Optional<ServerState> old = readPrimary(context);
        old.ifPresent(p -> Replication.requireSameCluster(state, p));
        record(context, Replication.requirePromotable(state, old, fencedAt(context), maxDataLoss));
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        ServerState state = Replication.read(replica, bounded(context, reachTimeout), "reading the replica");
        if (!state.inRecovery()) {
            context.evidence(ALREADY_PROMOTED, "true");
            promoted(context, state);
            return;
        }
        Optional<Lsn> fencedAt = fencedAt(context);
        fenceStepId
                .flatMap(step -> context.evidenceOf(step, OldPrimaryFenceStep.SYSTEM_IDENTIFIER))
                .filter(fenced -> !fenced.equals(state.systemIdentifier()))
                .ifPresent(fenced -> {
                    throw new RollbackException(
                            ErrorCode.INVALID_CONFIGURATION,
                            "the replica " + replica.describe() + " belongs to cluster " + state.systemIdentifier()
                                    + ", the fenced primary to cluster " + fenced
                                    + ": it is no standby of that primary; nothing was promoted");
                });
        ServerState current = fencedAt.isPresent() ? catchUp(context, state, fencedAt.get()) : state;
        Optional<ServerState> old = fencedAt.isPresent() ? Optional.empty() : readPrimary(context);
        old.ifPresent(p -> Replication.requireSameCluster(current, p));
        DataLossEstimate estimate = Replication.requirePromotable(current, old, fencedAt, maxDataLoss);
        record(context, estimate);
        context.checkpoint();
        promote(context);
        context.evidence(ALREADY_PROMOTED, "false");
        promoted(context, Replication.read(replica, bounded(context, reachTimeout), "reading the promoted replica"));
    }

    /** Whether the replica is a primary now; empty when it cannot be reached. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Replication.readIfReachable(replica, reachTimeout, "reading the replica")
                .map(s -> !s.inRecovery());
    }

    /** Waits until the replica holds the fenced primary's WAL, the catch-up time passes or the deadline nears. */
    private ServerState catchUp(StepContext context, ServerState first, Lsn target) throws InterruptedException {
        long end = context.clock().monotonicNanos()
                + bounded(context, catchUpTimeout).toNanos();
        ServerState state = first;
        while (state.heldLsn().map(held -> held.compareTo(target) < 0).orElse(true)) {
            Duration left = context.remaining();
            // keep time for the promotion itself: never spend the last of the budget waiting
            if (context.clock().monotonicNanos() - end >= 0 || left.compareTo(CATCH_UP_LOOK.multipliedBy(20)) < 0) {
                return state;
            }
            context.clock().sleep(CATCH_UP_LOOK);
            state = Replication.read(replica, bounded(context, reachTimeout), "reading the replica");
            context.progress("replica holds WAL up to "
                    + state.heldLsn().map(Lsn::toString).orElse("unknown") + " of the fenced primary's " + target);
        }
        return state;
    }

    private void promote(StepContext context) {
        Duration left = context.remaining().minus(Duration.ofSeconds(1));
        long seconds = Math.max(1, Math.min(promoteTimeout.toSeconds(), left.toSeconds()));
        String where = replica.describe();
        try (Connection c = Replication.within(replica, bounded(context, reachTimeout))
                        .connect();
                PreparedStatement s = c.prepareStatement("SELECT pg_promote(true, ?)")) {
            s.setInt(1, (int) seconds);
            s.setQueryTimeout((int) seconds + 2);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new TransientFailureException(
                            "the promotion of " + where + " did not finish within " + seconds
                                    + " s; it goes on in the server, and a retry finds it done",
                            null);
                }
            }
        } catch (SQLException e) {
            if ("55000".equals(e.getSQLState())) {
                return; // "recovery is not in progress": it was promoted meanwhile
            }
            if ("42501".equals(e.getSQLState())) {
                throw new RollbackException(
                        ErrorCode.CREDENTIAL_PROBLEM,
                        "the login to " + where + " may not call pg_promote (SQLState 42501): use a superuser or"
                                + " GRANT EXECUTE ON FUNCTION pg_promote TO it; nothing was changed",
                        e);
            }
            throw Jdbc.failure("promoting the replica", where, e);
        }
    }

    private void promoted(StepContext context, ServerState state) {
        context.evidence(TIMELINE, state.timelineText());
        context.evidence(SYSTEM_IDENTIFIER, state.systemIdentifier());
        state.replayLsn().ifPresent(fork -> context.evidence(FORK_LSN, fork.toString()));
        fence.ifPresent(
                f -> f.require(state.systemIdentifier(), state.timeline().orElseThrow()));
    }

    private void record(StepContext context, DataLossEstimate estimate) {
        context.evidence(EvidenceKey.DATA_LOSS_WINDOW, estimate.window().orElseThrow());
        context.evidence(DATA_LOSS_BASIS, estimate.basis());
        if (estimate.lagBytes().isPresent()) {
            context.evidence(LAG_BYTES, Long.toString(estimate.lagBytes().getAsLong()));
        }
    }

    private Optional<ServerState> readPrimary(StepContext context) {
        return primary.flatMap(
                p -> Replication.readIfReachable(p, bounded(context, reachTimeout), "reading the old primary"));
    }

    /** The old primary's WAL position the fence step of this run read after stopping its writes. */
    private Optional<Lsn> fencedAt(StepContext context) {
        return fenceStepId
                .flatMap(step -> context.evidenceOf(step, OldPrimaryFenceStep.FINAL_LSN))
                .map(Lsn::parse);
    }

    private static Duration bounded(StepContext context, Duration limit) {
        Duration left = context.remaining();
        return left.compareTo(limit) < 0 ? left : limit;
    }

    @Override
    public String toString() {
        return "ReplicaPromotionStep[" + id + ", " + replica.describe() + "]";
    }

    /**
     * Builds a {@link ReplicaPromotionStep}. Setters check their argument at once (an
     * {@code IllegalArgumentException} naming the field and the value); not thread-safe;
     * {@link #build()} may be called again.
     */
    public static final class Builder {
        private String id = "promote-replica";
        private String component = "postgres";
        private PostgresEndpoint replica;
        private PostgresEndpoint primary;
        private String fenceStepId;
        private TimelineFence fence;
        private Duration maxDataLoss = Duration.ofMinutes(1);
        private Duration promoteTimeout = Duration.ofSeconds(60);
        private Duration catchUpTimeout = Duration.ofSeconds(30);
        private Duration reachTimeout = Duration.ofSeconds(5);

        private Builder() {}

        /** The step id. Default: {@code promote-replica}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The streaming replica to promote; its login must be allowed to call pg_promote. Required. */
        public Builder replica(PostgresEndpoint replica) {
            this.replica = Objects.requireNonNull(replica, "replica");
            return this;
        }

        /**
         * The old primary, only read (its WAL position and cluster) to measure how far behind the
         * replica is; when it does not answer the replica's own replication state bounds the loss.
         * Optional.
         */
        public Builder primary(PostgresEndpoint primary) {
            this.primary = Objects.requireNonNull(primary, "primary");
            return this;
        }

        /**
         * The step that fenced the old primary before this one: the replica then catches up to the
         * WAL position it read after stopping the old primary's writes. Optional.
         */
        public Builder afterFence(OldPrimaryFenceStep fenceStep) {
            this.fenceStepId = Objects.requireNonNull(fenceStep, "fenceStep").id();
            return this;
        }

        /** The application's fence, told the new timeline once the replica is a primary. Optional. */
        public Builder fence(TimelineFence fence) {
            this.fence = Objects.requireNonNull(fence, "fence");
            return this;
        }

        /**
         * The most data a promotion may lose, measured as above; more is refused before any change.
         * Default: 1 minute (the runbook's database RPO); zero or more.
         */
        public Builder maxDataLoss(Duration maxDataLoss) {
            this.maxDataLoss = Arguments.requireNotNegative(maxDataLoss, "maxDataLoss");
            return this;
        }

        /** How long {@code pg_promote} waits for the promotion; never past the deadline. Default: 60 s; 1 s to 1 h. */
        public Builder promoteTimeout(Duration promoteTimeout) {
            Arguments.requirePositive(promoteTimeout, "promoteTimeout", Duration.ofHours(1));
            if (promoteTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("promoteTimeout must be at least 1 s, but was " + promoteTimeout);
            }
            this.promoteTimeout = promoteTimeout;
            return this;
        }

        /**
         * How long to wait for the replica to receive the fenced primary's last WAL; never past the
         * deadline. Default: 30 s; positive, at most 1 h.
         */
        public Builder catchUpTimeout(Duration catchUpTimeout) {
            this.catchUpTimeout = Arguments.requirePositive(catchUpTimeout, "catchUpTimeout", Duration.ofHours(1));
            return this;
        }

        /** How long connecting to the replica or the old primary may take. Default: 5 s; positive, at most 1 min. */
        public Builder reachTimeout(Duration reachTimeout) {
            this.reachTimeout = Arguments.requirePositive(reachTimeout, "reachTimeout", Duration.ofMinutes(1));
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the replica is missing, or it is the primary (same host and port)
         */
        public ReplicaPromotionStep build() {
            if (replica == null) {
                throw new IllegalStateException("replica is required");
            }
            if (primary != null && primary.host().equals(replica.host()) && primary.port() == replica.port()) {
                throw new IllegalStateException("replica and primary are the same server (" + replica.host() + ":"
                        + replica.port() + "): a server is never promoted over itself");
            }
            return new ReplicaPromotionStep(this);
        }
    }
}
