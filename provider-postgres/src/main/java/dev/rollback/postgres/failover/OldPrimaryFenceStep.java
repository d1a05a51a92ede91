package dev.rollback.postgres.failover;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.ToolArguments;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Fences the old primary of a self-hosted failover so that it never takes writes again: the split
 * brain of a failover is an old primary that comes back and accepts writes the new one never sees.
 * It runs <b>before</b> the promotion, so no write reaches the old primary after the replica took
 * over, and the replica can catch up to everything the old primary wrote.
 *
 * <p>When the old primary answers: {@code ALTER SYSTEM SET default_transaction_read_only = on} and
 * {@code pg_reload_conf()} (kept in {@code postgresql.auto.conf}, so it is still read-only after a
 * restart), then {@code pg_terminate_backend(pid, timeout)} for every other client session (a session
 * opened before the fence keeps its read-write default until it ends), then a new session checks that
 * it starts read-only. It records the old primary's WAL position after that ({@value #FINAL_LSN}): all
 * its committed writes lie before it, and {@link ReplicaPromotionStep.Builder#afterFence} waits for the
 * replica to hold it. The {@link TimelineFence} (if given) then refuses that primary's timeline.
 *
 * <p>When it does not answer (the usual reason to fail over), nothing can be done to it: the step
 * records {@value #REACHED} {@code false} and succeeds. What keeps writes from it when it returns is
 * the timeline: the promoted replica starts a new timeline and the application's connections go
 * through the {@link TimelineFence}, which refuses a primary of the cluster on an older one. Run this
 * step again when it is back (it is idempotent) to make it read-only at the source, and rebuild it as
 * a standby of the new primary before anything uses it.
 *
 * <p>Bound: {@code default_transaction_read_only} stops the application's ordinary writes; a session
 * that explicitly asks for a read-write transaction ({@code SET default_transaction_read_only = off},
 * {@code SET TRANSACTION READ WRITE}) still can, and so can a superuser who undoes the setting.
 *
 * <p>Preflight (read-only), when the replica is given: it refuses to fence when the replica could not
 * take over (not reachable, replay paused, further behind than {@link Builder#maxDataLoss} allows, or
 * of another cluster), so a failover never leaves no primary at all. A replica that is a primary
 * already (a re-run after the promotion) passes.
 *
 * <p>The login needs {@code ALTER SYSTEM} (a superuser, or {@code GRANT ALTER SYSTEM ON PARAMETER
 * default_transaction_read_only}) and the right to terminate the sessions ({@code pg_signal_backend},
 * which does not reach superusers' sessions). Idempotent: on a fenced server it changes nothing new
 * and says so ({@value #ALREADY_FENCED}). {@link #tookEffect(StepContext)}: the old primary starts
 * sessions read-only (empty when it does not answer). Not destructive: it removes no data. Evidence:
 * {@value #REACHED}, {@value #ALREADY_FENCED}, {@value #TERMINATED}, {@value #FINAL_LSN},
 * {@value #TIMELINE}, {@value #SYSTEM_IDENTIFIER}, {@value #REPLICA_LAG}. Immutable and thread-safe.
 */
public final class OldPrimaryFenceStep implements RollbackStep {
    /** Evidence key: whether the old primary answered. */
    public static final String REACHED = "fence.reached";
    /** Evidence key: whether it was fenced (read-only by default) before this step ran. */
    public static final String ALREADY_FENCED = "fence.alreadyFenced";
    /** Evidence key: how many client sessions were terminated. */
    public static final String TERMINATED = "fence.terminatedSessions";
    /** Evidence key: the old primary's WAL position after its writes were stopped. */
    public static final String FINAL_LSN = "fence.finalLsn";
    /** Evidence key: the old primary's timeline. */
    public static final String TIMELINE = "fence.timeline";
    /** Evidence key: the cluster's system identifier. */
    public static final String SYSTEM_IDENTIFIER = "fence.systemIdentifier";
    /** Evidence key: how far behind the replica was at preflight (never the run's data-loss figure). */
    public static final String REPLICA_LAG = "fence.replicaLagAtPreflight";

    private final String id;
    private final String component;
    private final PostgresEndpoint oldPrimary;
    private final Optional<PostgresEndpoint> replica;
    private final Optional<TimelineFence> fence;
    private final Duration maxDataLoss;
    private final Duration reachTimeout;
    private final Duration terminateTimeout;

    private OldPrimaryFenceStep(Builder b) {
        this.id = b.id;
        this.component = b.component;
        this.oldPrimary = b.oldPrimary;
        this.replica = Optional.ofNullable(b.replica);
        this.fence = Optional.ofNullable(b.fence);
        this.maxDataLoss = b.maxDataLoss;
        this.reachTimeout = b.reachTimeout;
        this.terminateTimeout = b.terminateTimeout;
    }

    /** A builder; the old primary is required. */
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

    /** The old primary fenced: {@code host:port/database}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(oldPrimary.describe());
    }

    /** Yes: fencing a fenced server changes nothing new. */
    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) {
        Optional<ServerState> old =
                Replication.readIfReachable(oldPrimary, bounded(context, reachTimeout), "reading the old primary");
        context.evidence(REACHED, Boolean.toString(old.isPresent()));
        if (replica.isEmpty()) {
            return;
        }
        ServerState standby =
                Replication.read(replica.get(), bounded(context, reachTimeout), "reading the replica that takes over");
        old.ifPresent(o -> Replication.requireSameCluster(standby, o));
        if (standby.inRecovery()) {
            DataLossEstimate estimate = Replication.requirePromotable(standby, old, Optional.empty(), maxDataLoss);
            context.evidence(REPLICA_LAG, estimate.window().orElseThrow() + " (" + estimate.basis() + ")");
            return;
        }
        boolean olderTimeline = old.isEmpty()
                || old.get().inRecovery()
                || old.get().timeline().orElseThrow() < standby.timeline().orElseThrow();
        if (!olderTimeline) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "the replica " + standby.where() + " is not a standby (not in recovery) and is on timeline "
                            + standby.timelineText() + ", not above the old primary's "
                            + old.get().timelineText()
                            + ": fencing the primary would leave no server to take over; nothing was changed");
        }
    }

    @Override
    public void execute(StepContext context) {
        String where = oldPrimary.describe();
        Connection c;
        try {
            c = Replication.within(oldPrimary, bounded(context, reachTimeout)).connect();
        } catch (SQLException e) {
            if (Replication.unreachable(e)) {
                context.evidence(REACHED, "false");
                context.progress("the old primary " + where + " does not answer: nothing to fence at the source");
                return;
            }
            throw Jdbc.failure("fencing the old primary", where, e);
        }
        try (Connection connection = c) {
            ServerState before = ServerState.read(connection, where);
            context.evidence(REACHED, "true");
            context.evidence(SYSTEM_IDENTIFIER, before.systemIdentifier());
            if (before.inRecovery()) {
                context.evidence(ALREADY_FENCED, "true");
                context.progress("the old primary " + where + " is in recovery (a standby): it takes no writes");
                return;
            }
            context.evidence(TIMELINE, before.timelineText());
            context.evidence(ALREADY_FENCED, Boolean.toString(before.readOnlyByDefault()));
            try (Statement s = connection.createStatement()) {
                s.execute("ALTER SYSTEM SET default_transaction_read_only = on");
                s.execute("SELECT pg_reload_conf()");
            }
            awaitReadOnlySessions(context);
            context.evidence(TERMINATED, Integer.toString(terminateOtherSessions(connection)));
            ServerState after = ServerState.read(connection, where);
            context.evidence(FINAL_LSN, after.currentLsn().orElseThrow().toString());
            fence.ifPresent(
                    f -> f.require(after.systemIdentifier(), after.timeline().orElseThrow() + 1));
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new RollbackException(
                        ErrorCode.CREDENTIAL_PROBLEM,
                        "the login to " + where + " may not fence it (SQLState 42501): it needs ALTER SYSTEM on"
                                + " default_transaction_read_only and pg_signal_backend",
                        e);
            }
            throw Jdbc.failure("fencing the old primary", where, e);
        }
    }

    /** Whether the old primary starts sessions read-only; empty when it does not answer. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Replication.readIfReachable(oldPrimary, reachTimeout, "reading the old primary")
                .map(s -> s.inRecovery() || s.readOnlyByDefault());
    }

    /** A reload is asynchronous: waits (briefly, within the deadline) until a new session starts read-only. */
    private void awaitReadOnlySessions(StepContext context) throws SQLException {
        while (true) {
            try (Connection fresh = Replication.within(oldPrimary, bounded(context, reachTimeout))
                            .connect();
                    Statement s = fresh.createStatement();
                    ResultSet rs = s.executeQuery("SHOW default_transaction_read_only")) {
                rs.next();
                if ("on".equals(rs.getString(1))) {
                    return;
                }
            }
            context.checkpoint();
            try {
                context.clock().sleep(Duration.ofMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException("interrupted while fencing " + oldPrimary.describe());
            }
        }
    }

    private int terminateOtherSessions(Connection connection) throws SQLException {
        int terminated = 0;
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, ?)) FROM pg_stat_activity"
                        + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            s.setLong(1, Math.max(1, terminateTimeout.toMillis()));
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    terminated = rs.getInt(1);
                }
            }
        }
        return terminated;
    }

    private static Duration bounded(StepContext context, Duration limit) {
        Duration left = context.remaining();
        return left.compareTo(limit) < 0 ? left : limit;
    }

    @Override
    public String toString() {
        return "OldPrimaryFenceStep[" + id + ", " + oldPrimary.describe() + "]";
    }

    /**
     * Builds an {@link OldPrimaryFenceStep}. Setters check their argument at once (an
     * {@code IllegalArgumentException} naming the field and the value); not thread-safe;
     * {@link #build()} may be called again.
     */
    public static final class Builder {
        private String id = "fence-old-primary";
        private String component = "postgres";
        private PostgresEndpoint oldPrimary;
        private PostgresEndpoint replica;
        private TimelineFence fence;
        private Duration maxDataLoss = Duration.ofMinutes(1);
        private Duration reachTimeout = Duration.ofSeconds(5);
        private Duration terminateTimeout = Duration.ofSeconds(5);

        private Builder() {}

        /** The step id. Default: {@code fence-old-primary}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The primary to fence; its login needs ALTER SYSTEM and pg_signal_backend. Required. */
        public Builder oldPrimary(PostgresEndpoint oldPrimary) {
            this.oldPrimary = Objects.requireNonNull(oldPrimary, "oldPrimary");
            return this;
        }

        /** The replica that takes over, checked (only read) by the preflight. Optional. */
        public Builder replica(PostgresEndpoint replica) {
            this.replica = Objects.requireNonNull(replica, "replica");
            return this;
        }

        /** The application's fence, told that the old primary's timeline is fenced. Optional. */
        public Builder fence(TimelineFence fence) {
            this.fence = Objects.requireNonNull(fence, "fence");
            return this;
        }

        /**
         * The most data the replica may be behind for the preflight to let the fence go ahead (the
         * promotion checks it again after the fence). Default: 1 minute (the runbook's database RPO);
         * zero or more.
         */
        public Builder maxDataLoss(Duration maxDataLoss) {
            this.maxDataLoss = Arguments.requireNotNegative(maxDataLoss, "maxDataLoss");
            return this;
        }

        /**
         * How long connecting to the old primary may take before it counts as not answering. Default: 5
         * s; positive, at most 1 min.
         */
        public Builder reachTimeout(Duration reachTimeout) {
            this.reachTimeout = Arguments.requirePositive(reachTimeout, "reachTimeout", Duration.ofMinutes(1));
            return this;
        }

        /** How long to wait for each terminated session to end. Default: 5 s; positive, at most 1 min. */
        public Builder terminateTimeout(Duration terminateTimeout) {
            this.terminateTimeout =
                    Arguments.requirePositive(terminateTimeout, "terminateTimeout", Duration.ofMinutes(1));
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the old primary is missing, or it is the replica (same host
         *     and port)
         */
        public OldPrimaryFenceStep build() {
            if (oldPrimary == null) {
                throw new IllegalStateException("oldPrimary is required");
            }
            if (replica != null && replica.host().equals(oldPrimary.host()) && replica.port() == oldPrimary.port()) {
                throw new IllegalStateException("oldPrimary and replica are the same server (" + oldPrimary.host() + ":"
                        + oldPrimary.port() + "): fencing it would leave no primary");
            }
            return new OldPrimaryFenceStep(this);
        }
    }
}
