package dev.rollback.postgres.failover;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.OperationStillRunningException;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.Activation;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.HaServer;
import dev.rollback.postgres.internal.AzureNames;
import dev.rollback.postgres.internal.ToolArguments;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's database failover on Azure: a <b>forced failover</b> of an Azure Database for
 * PostgreSQL flexible server with high availability to its standby ({@code az postgres
 * flexible-server restart --failover Forced}; REST {@code POST .../flexibleServers/{name}/restart}
 * with {@code restartWithFailover: true, failoverMode: ForcedFailover}), a long-running operation
 * polled within the step's deadline.
 *
 * <p>Preflight (read-only) refuses, naming why, a server that does not exist, is not {@code Ready},
 * has no high availability, or whose standby is not {@code Healthy}: a failover then has nothing
 * sound to fail over to. The same checks run again right before the request.
 *
 * <p>A failover is a toggle (a second one fails back), so this step is <b>not idempotent</b> and the
 * request is <b>never re-sent blindly</b>: it goes out once, through the manager's pipeline and its
 * rollback-azure {@code DeadlineAwareRetryPolicy}, which never re-sends it once it may have reached
 * Azure (see {@link HighAvailabilityControlPlane}). When its answer, or the answer to a poll of its
 * operation, is lost (a reset after sending, no answer in time, a 5xx), the step reads the server for up to
 * {@link Builder#reconcileWindow(Duration)}: a standby that is taking over ({@code FailingOver}) or
 * has taken over (the primary now in the former standby's zone) means the request took effect, and
 * the step waits for it to finish; a server that shows neither means it cannot tell, and it fails with
 * {@code HUMAN_DECISION_REQUIRED} naming the step, without sending anything again. A later attempt of
 * the same run (after a 429, say) first compares the server with what the first attempt saw and adopts
 * a failover already made. {@link #tookEffect(StepContext)} answers the same question on resume.
 *
 * An operation that Azure reports Failed is checked against the server too: if the standby took
 * over anyway, the step reports what the server shows.
 *
 * <p>Waiting: the operation is polled with rollback-azure's {@code AzureOperations}; each answered
 * poll is reported with {@link StepContext#progress}; polls are {@link Builder#pollInterval(Duration)}
 * apart, or as Azure asks with {@code Retry-After}; no wait runs past the deadline: when the next poll
 * would come too late to be answered before it (less than the wait plus one second, or plus
 * {@link Builder#requestTimeout} if shorter, left), the step ends with {@code STEP_TIMED_OUT}
 * ({@code OperationStillRunningException}) saying the failover goes on in Azure and was not re-sent.
 * A request that Azure refuses asking for a wait ({@code Retry-After}) longer than the step has left
 * fails at once, naming both, and nothing was changed.
 *
 * <p>Evidence: the server before and after ({@value #BEFORE_PRIMARY_ZONE}, {@value
 * #BEFORE_STANDBY_ZONE}, {@value #BEFORE_HA_STATE}, {@value #BEFORE_STATE}, {@value #HA_MODE} and the
 * {@code failover.after.*} counterparts), {@value #SENT}, {@value #ANSWER}, {@value #RECONCILED},
 * {@value #POLLS}; and {@link EvidenceKey#DATA_LOSS_WINDOW} zero when the standby was
 * {@code Healthy} before, because Azure's high availability commits synchronously to the standby
 * ({@value #DATA_LOSS_BASIS} says so).
 *
 * <p>Limit: with same-zone high availability primary and standby share a zone, so a finished
 * failover cannot be told from none by reading the server; an unanswered request there is reconciled
 * only while the server still shows {@code FailingOver}.
 *
 * <p>Not destructive (no data is overwritten). Immutable and thread-safe. It never restarts a server
 * without a failover, never fails over a server without a healthy standby, and never sends a second
 * failover in a run.
 */
public final class FlexibleServerFailoverStep implements RollbackStep {
    /** Evidence key: the primary's availability zone before the failover. */
    public static final String BEFORE_PRIMARY_ZONE = "failover.before.primaryZone";
    /** Evidence key: the standby's availability zone before the failover. */
    public static final String BEFORE_STANDBY_ZONE = "failover.before.standbyZone";
    /** Evidence key: the high-availability state before ({@code Healthy}). */
    public static final String BEFORE_HA_STATE = "failover.before.haState";
    /** Evidence key: the server's state before ({@code Ready}). */
    public static final String BEFORE_STATE = "failover.before.state";
    /** Evidence key: the primary's availability zone after the failover (the former standby's). */
    public static final String AFTER_PRIMARY_ZONE = "failover.after.primaryZone";
    /** Evidence key: the standby's availability zone after the failover. */
    public static final String AFTER_STANDBY_ZONE = "failover.after.standbyZone";
    /** Evidence key: the high-availability state after. */
    public static final String AFTER_HA_STATE = "failover.after.haState";
    /** Evidence key: the server's state after. */
    public static final String AFTER_STATE = "failover.after.state";
    /** Evidence key: the high-availability mode ({@code ZoneRedundant}, {@code SameZone}). */
    public static final String HA_MODE = "failover.haMode";
    /** Evidence key: whether this attempt sent the failover request ({@code false} when it adopted one). */
    public static final String SENT = "failover.sent";
    /** Evidence key: how the request was answered ({@code answered HTTP 202}, {@code no answer: ...}). */
    public static final String ANSWER = "failover.answer";
    /** Evidence key: {@code true} when the answer was lost and reading the server showed the failover. */
    public static final String RECONCILED = "failover.reconciled";
    /** Evidence key: how many polls of the operation were answered. */
    public static final String POLLS = "failover.polls";
    /** Evidence key: why the data-loss window is what it is. */
    public static final String DATA_LOSS_BASIS = "failover.dataLossBasis";

    /** The time a look at the failover (a poll, a read) is given to be answered before the deadline. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(1);

    private final String id;
    private final String component;
    private final HighAvailabilityControlPlane controlPlane;
    private final String resourceGroup;
    private final String server;
    private final Duration pollInterval;
    private final Duration requestTimeout;
    private final Duration reconcileWindow;

    private FlexibleServerFailoverStep(Builder b) {
        this.id = b.id;
        this.component = b.component;
        this.controlPlane = b.controlPlane;
        this.resourceGroup = b.resourceGroup;
        this.server = b.server;
        this.pollInterval = b.pollInterval;
        this.requestTimeout = b.requestTimeout;
        this.reconcileWindow = b.reconcileWindow;
    }

    /** A builder; controlPlane, resourceGroup and server are required. */
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

    /** The flexible server failed over: {@code resourceGroup/server}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(name());
    }

    /** No: a second failover fails back. */
    @Override
    public boolean idempotent() {
        return false;
    }

    @Override
    public void preflight(StepContext context) {
        HaServer now = read(context);
        context.evidence(HA_MODE, now.mode());
        requireFailoverPossible(now);
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        HaServer now = read(context);
        Optional<HaServer> earlier = recordedBefore(context);
        HaServer before = earlier.orElse(now);
        if (earlier.isEmpty()) {
            record(context, "before", now);
        }
        context.evidence(HA_MODE, before.mode());
        if (earlier.isPresent() && tookEffect(before, now).orElse(false)) {
            // an earlier attempt of this run made it (its answer was lost, or it timed out)
            context.evidence(SENT, "false");
            context.evidence(RECONCILED, "true");
            finish(context, before, awaitByReading(context, before));
            return;
        }
        requireFailoverPossible(now);
        context.checkpoint();
        Activation activation;
        try {
            activation = controlPlane.forcedFailover(
                    context,
                    resourceGroup,
                    server,
                    requestTimeout,
                    pollInterval,
                    margin(),
                    polls -> context.evidence(POLLS, Integer.toString(polls)));
        } catch (OperationStillRunningException e) {
            context.evidence(SENT, "true");
            context.evidence(ANSWER, "accepted; still running when the wait stopped");
            throw new OperationStillRunningException(
                    e.getMessage() + "; it goes on in Azure and was not sent again (a resume reads the server to"
                            + " learn whether it took effect)",
                    e.polls());
        }
        context.evidence(SENT, "true");
        context.evidence(ANSWER, activation.detail());
        HaServer after = switch (activation.answer()) {
            case COMPLETED -> awaitByReading(context, before);
            case FAILED -> failedUnlessItTookEffect(context, before, activation.detail());
            case UNKNOWN -> reconcile(context, before, activation.detail());
        };
        finish(context, before, after);
    }

    /**
     * Azure reported the operation failed: the server says whether it acted anyway (a late phase may
     * fail after the standby took over), and the report follows the server, not the operation's word.
     */
    private HaServer failedUnlessItTookEffect(StepContext context, HaServer before, String detail)
            throws InterruptedException {
        HaServer now = read(context);
        if (tookEffect(before, now).orElse(false)) {
            context.evidence(RECONCILED, "true");
            context.progress("the failover of " + name() + " was reported failed, but the server shows it took"
                    + " effect: " + now.describe());
            return awaitByReading(context, before);
        }
        record(context, "after", now);
        throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, detail + "; the server is now " + now.describe());
    }

    /**
     * Whether the failover this run started is in place or under way: the server shows
     * {@code FailingOver}, or its primary is in the zone the standby was in before. Empty when this
     * run recorded no "before" (nothing to compare with) or primary and standby share a zone.
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Optional<HaServer> before = recordedBefore(context);
        if (before.isEmpty()) {
            return Optional.empty();
        }
        return tookEffect(before.get(), read(context));
    }

    private static Optional<Boolean> tookEffect(HaServer before, HaServer now) {
        if (now.failingOver()) {
            return Optional.of(true);
        }
        if (!before.zonesDistinct()) {
            return Optional.empty();
        }
        if (now.primaryZone().equals(before.standbyZone().orElseThrow())) {
            return Optional.of(true);
        }
        return now.primaryZone().equals(before.primaryZone()) ? Optional.of(false) : Optional.empty();
    }

    private void requireFailoverPossible(HaServer s) {
        String name = resourceGroup + "/" + server;
        if (!s.highAvailability()) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "flexible server " + name + " has no high availability (mode "
                            + (s.mode().isEmpty() ? "unknown" : s.mode())
                            + "): there is no standby to fail over to; nothing was changed");
        }
        if (!s.standbyHealthy()) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "the standby of flexible server " + name + " is not healthy (high availability " + s.haState()
                            + "): a failover now could lose data or leave no server; nothing was changed");
        }
        if (!s.ready()) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "flexible server " + name + " is " + s.state() + ", not Ready: another operation runs on it;"
                            + " nothing was changed");
        }
    }

    /** The answer was lost: reads the server to learn whether the failover took effect; never re-sends. */
    private HaServer reconcile(StepContext context, HaServer before, String answer) throws InterruptedException {
        Duration window = bounded(context, reconcileWindow);
        long end = context.clock().monotonicNanos() + window.toNanos();
        HaServer last = before;
        while (true) {
            try {
                last = read(context);
                context.progress("reading " + name() + " after an unanswered failover: " + last.describe());
                if (tookEffect(before, last).orElse(false)) {
                    context.evidence(RECONCILED, "true");
                    return awaitByReading(context, before);
                }
            } catch (TransientFailureException e) {
                // the control plane did not answer this read either; the window decides
            }
            if (context.clock().monotonicNanos() - end >= 0
                    || context.remaining().compareTo(pollInterval) <= 0) {
                break;
            }
            context.clock().sleep(pollInterval);
        }
        context.evidence(RECONCILED, "false");
        throw new RollbackException(
                ErrorCode.HUMAN_DECISION_REQUIRED,
                "step '" + id + "': the forced failover request for " + name() + " got " + answer
                        + ", and the server still shows no failover (" + last.describe() + ") after watching it for "
                        + window
                        + "; it was NOT sent again, because a second failover would fail back. Check the server's"
                        + " activity log, then re-run or skip this step.");
    }

    /** Reads the server until the failover has finished: Ready, not failing over, and (zones permitting) swapped. */
    private HaServer awaitByReading(StepContext context, HaServer before) throws InterruptedException {
        while (true) {
            HaServer now = read(context);
            boolean swapped = !before.zonesDistinct()
                    || now.primaryZone().equals(before.standbyZone().orElseThrow());
            if (now.ready() && !now.failingOver() && swapped) {
                return now;
            }
            context.progress("failover of " + name() + ": " + now.describe());
            sleepBeforeDeadline(context, pollInterval, "the forced failover of " + name() + " is still under way");
        }
    }

    private void finish(StepContext context, HaServer before, HaServer after) {
        record(context, "after", after);
        if (before.zonesDistinct()
                && !after.primaryZone().equals(before.standbyZone().orElseThrow())) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "the forced failover of " + name() + " finished, but the primary is in zone "
                            + after.primaryZone() + ", not in the former standby's zone "
                            + before.standbyZone().orElseThrow());
        }
        if (before.standbyHealthy()) {
            context.evidence(EvidenceKey.DATA_LOSS_WINDOW, Duration.ZERO);
            context.evidence(
                    DATA_LOSS_BASIS,
                    "the standby was Healthy before the failover, and Azure's high availability commits"
                            + " synchronously to it");
        }
    }

    /**
     * Sleeps before the next look, unless that look could not be answered before the deadline: it
     * needs the wait plus {@code ANSWER_MARGIN} (or {@code requestTimeout}, if shorter) to come back.
     */
    private void sleepBeforeDeadline(StepContext context, Duration wait, String what) throws InterruptedException {
        Duration left = context.remaining();
        if (left.compareTo(wait.plus(margin())) <= 0 || context.stopRequested()) {
            throw new RollbackException(
                    ErrorCode.STEP_TIMED_OUT,
                    what + " with " + left + " left before the step's deadline, too little for another look;"
                            + " it goes on in Azure and was not sent again (a resume reads the server to learn"
                            + " whether it took effect)");
        }
        context.clock().sleep(wait);
    }

    /** The time a look at the server needs to be answered before the deadline. */
    private Duration margin() {
        return requestTimeout.compareTo(ANSWER_MARGIN) < 0 ? requestTimeout : ANSWER_MARGIN;
    }

    private HaServer read(StepContext context) {
        return controlPlane
                .read(context, resourceGroup, server, requestTimeout)
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "flexible server " + name() + " not found; nothing was changed"));
    }

    private Optional<HaServer> recordedBefore(StepContext context) {
        Optional<String> primary = context.evidenceOf(id, BEFORE_PRIMARY_ZONE);
        if (primary.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HaServer(
                server,
                context.evidenceOf(id, BEFORE_STATE).orElse(""),
                context.evidenceOf(id, HA_MODE).orElse(""),
                context.evidenceOf(id, BEFORE_HA_STATE).orElse(""),
                primary.get(),
                context.evidenceOf(id, BEFORE_STANDBY_ZONE).filter(z -> !z.isEmpty()),
                ""));
    }

    private static void record(StepContext context, String when, HaServer s) {
        context.evidence("failover." + when + ".primaryZone", s.primaryZone());
        context.evidence("failover." + when + ".standbyZone", s.standbyZone().orElse(""));
        context.evidence("failover." + when + ".haState", s.haState());
        context.evidence("failover." + when + ".state", s.state());
    }

    private static Duration bounded(StepContext context, Duration limit) {
        Duration left = context.remaining();
        return left.compareTo(limit) < 0 ? (left.isZero() ? Duration.ofMillis(1) : left) : limit;
    }

    private static Duration longer(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private String name() {
        return resourceGroup + "/" + server;
    }

    @Override
    public String toString() {
        return "FlexibleServerFailoverStep[" + id + ", " + name() + ", forced]";
    }

    /**
     * Builds a {@link FlexibleServerFailoverStep}. Setters check their argument at once (an
     * {@code IllegalArgumentException} naming the field and the value); not thread-safe;
     * {@link #build()} may be called again.
     */
    public static final class Builder {
        private String id = "flexible-server-failover";
        private String component = "postgres";
        private HighAvailabilityControlPlane controlPlane;
        private String resourceGroup;
        private String server;
        private Duration pollInterval = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration reconcileWindow = Duration.ofSeconds(30);

        private Builder() {}

        /** The step id. Default: {@code flexible-server-failover}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The Azure control plane (see {@link HighAvailabilityControlPlane#ofPostgreSqlManager}). Required. */
        public Builder controlPlane(HighAvailabilityControlPlane controlPlane) {
            this.controlPlane = Objects.requireNonNull(controlPlane, "controlPlane");
            return this;
        }

        /** The server's resource group. Required. */
        public Builder resourceGroup(String resourceGroup) {
            this.resourceGroup = AzureNames.requireResourceGroup(resourceGroup, "resourceGroup");
            return this;
        }

        /** The server with high availability to fail over. Required. */
        public Builder server(String server) {
            this.server = AzureNames.requireServerName(server, "server");
            return this;
        }

        /**
         * The time between two looks at the failover (polls of its operation, reads of the server),
         * unless Azure asks for longer. Default: 5 s; positive, at most 5 minutes.
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Arguments.requirePositive(pollInterval, "pollInterval", Duration.ofMinutes(5));
            return this;
        }

        /**
         * How long one call to Azure (the failover request, a read, a poll) may wait for its answer;
         * never longer than what is left of the step's budget (nor than the pipeline policy's try timeout). Default: 60 s;
         * 100 ms to 10 minutes.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            Arguments.requirePositive(requestTimeout, "requestTimeout", Duration.ofMinutes(10));
            if (requestTimeout.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("requestTimeout must be at least 100 ms, but was " + requestTimeout);
            }
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * How long to watch the server for a failover after the request got no answer, before asking a
         * human; never longer than what is left of the step's budget. Default: 30 s; positive, at most
         * 10 minutes.
         */
        public Builder reconcileWindow(Duration reconcileWindow) {
            this.reconcileWindow =
                    Arguments.requirePositive(reconcileWindow, "reconcileWindow", Duration.ofMinutes(10));
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if controlPlane, resourceGroup or server is missing
         */
        public FlexibleServerFailoverStep build() {
            if (controlPlane == null || resourceGroup == null || server == null) {
                throw new IllegalStateException("controlPlane, resourceGroup and server are required");
            }
            return new FlexibleServerFailoverStep(this);
        }
    }
}
