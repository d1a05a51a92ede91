package dev.rollback.postgres.restore;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.AzureFailures;
import dev.rollback.postgres.internal.ToolArguments;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runbook's {@code az postgres flexible-server restore}: creates a NEW Azure Database for
 * PostgreSQL flexible server from a source server as it was at a UTC instant ({@code createMode
 * PointInTimeRestore}), in the source's region, and waits for the long-running operation within the
 * step's deadline, one poll at a time. The source is only read; the target name must differ from it.
 *
 * <p>Before any call it refuses an instant in the future; before any change it refuses (after one
 * read of the source) an instant before the source's earliest restore date or older than its
 * backup retention, naming the window.
 *
 * <p><b>Never created twice; a lost answer is adopted.</b> The restore request tags the new server
 * with its source and restore point. The create is never sent again by the pipeline once it may have
 * reached Azure: when its answer is lost (reset after sending, no answer in time, a 5xx, a lost poll)
 * or Azure answers {@code 409 ServerAlreadyExists}, the step reads the target and, if it is
 * <b>this</b> restore, adopts it in the same attempt and waits until it is {@code Ready}. The same
 * holds when the target already exists before the call (a retry, a re-run, a resume). "This restore"
 * means restored from this source (its {@code sourceServerResourceId}, or its source tag) <b>and to
 * this point in time</b> (its restore-point tag, or {@code pointInTimeUTC} when Azure returns it): a
 * server restored from the same source to another point, or one that cannot be shown to be this
 * restore, is never adopted and never overwritten; the step fails naming what it found. A target that
 * does not exist after a lost answer was not created: the executor may send the restore again.
 *
 * <p>Evidence: {@value #SERVER_NAME}, {@value #FQDN}, {@value #SERVER_ID}, {@value #STATE},
 * {@value #ADOPTED}, {@value #RECONCILED} (how a lost answer was settled), and
 * {@code restore.targetTime} (as {@link SelfHostedPointInTimeRestoreStep#TARGET_TIME}, so the
 * restore verifiers find it). Idempotent through adoption; not destructive. Immutable and
 * thread-safe.
 */
public final class FlexibleServerPointInTimeRestoreStep implements RollbackStep {
    /** Evidence key: the new server's name. */
    public static final String SERVER_NAME = "restore.serverName";
    /** Evidence key: the new server's fully qualified domain name (its endpoint). */
    public static final String FQDN = "restore.fqdn";
    /** Evidence key: the new server's resource id. */
    public static final String SERVER_ID = "restore.serverId";
    /** Evidence key: the new server's state ({@code Ready}). */
    public static final String STATE = "restore.state";
    /** Evidence key: {@code true} when an existing server was found to be this restore and adopted. */
    public static final String ADOPTED = "restore.adopted";
    /** Evidence key: how an unknown outcome of the create (a lost answer, a 409) was settled by reading the target. */
    public static final String RECONCILED = "restore.reconciled";

    private static final Duration LONGEST_RESERVE = Duration.ofSeconds(15);

    private static final Pattern SERVER_NAME_RULE = Pattern.compile("[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])");
    private static final Pattern RESOURCE_GROUP_RULE = Pattern.compile("[A-Za-z0-9_.()-]{1,90}");

    private final String id;
    private final String component;
    private final FlexibleServerControlPlane controlPlane;
    private final String resourceGroup;
    private final String sourceServer;
    private final String targetServer;
    private final Instant pointInTime;

    private FlexibleServerPointInTimeRestoreStep(Builder b) {
        this.id = b.id;
        this.component = b.component;
        this.controlPlane = b.controlPlane;
        this.resourceGroup = b.resourceGroup;
        this.sourceServer = b.sourceServer;
        this.targetServer = b.targetServer;
        this.pointInTime = b.pointInTime;
    }

    /** A builder; every value but id and component is required. */
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

    /** The server created by the restore and the server restored from: {@code resourceGroup/target from resourceGroup/source}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(resourceGroup + "/" + targetServer + " from " + resourceGroup + "/" + sourceServer);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /**
     * The window of the source: [max(earliest restore date, now − retention), now], now being the
     * context's clock; one read of the source, bounded by the context's deadline.
     *
     * @throws RollbackException if the source does not exist
     */
    public RestoreWindow window(StepContext context) {
        Instant now = context.clock().instant();
        return window(source(context), now);
    }

    private RestoreWindow window(FlexibleServerControlPlane.ServerInfo source, Instant now) {
        Instant earliest = source.earliestRestore().orElse(now);
        if (source.retentionDays().isPresent()) {
            Instant retained = now.minus(Duration.ofDays(source.retentionDays().get()));
            earliest = retained.isAfter(earliest) ? retained : earliest;
        }
        return new RestoreWindow(earliest.isAfter(now) ? now : earliest, now);
    }

    @Override
    public void preflight(StepContext context) {
        check(context);
    }

    private FlexibleServerControlPlane.ServerInfo check(StepContext context) {
        Instant now = context.clock().instant();
        if (pointInTime.isAfter(now)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "restore point " + pointInTime + " is in the future (now " + now + "); nothing was called");
        }
        FlexibleServerControlPlane.ServerInfo source = source(context);
        RestoreWindow window = window(source, now);
        if (!window.contains(pointInTime)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "restore point " + pointInTime
                            + " is outside the restore window of " + sourceServer + ": " + window.earliest() + " to "
                            + window.latest() + " (earliest restore date "
                            + source.earliestRestore().map(Instant::toString).orElse("unknown") + ", retention "
                            + source.retentionDays().map(d -> d + " days").orElse("unknown")
                            + "); nothing was changed");
        }
        return source;
    }

    @Override
    public void execute(StepContext context) {
        FlexibleServerControlPlane.ServerInfo source = check(context);
        Optional<FlexibleServerControlPlane.ServerInfo> existing =
                controlPlane.find(context, resourceGroup, targetServer);
        FlexibleServerControlPlane.ServerInfo restored;
        if (existing.isPresent()) {
            restored = adopt(context, source, existing.get(), "it existed before the restore was sent");
        } else {
            context.checkpoint();
            try {
                restored = controlPlane.restore(
                        context, source, resourceGroup, targetServer, pointInTime, reserve(context));
            } catch (IndeterminateOutcomeException e) {
                restored = reconcile(context, source, e, "the create's outcome is unknown (" + e.getMessage() + ")");
            } catch (RollbackException e) {
                if (AzureFailures.status(e) != 409) {
                    throw e;
                }
                restored = reconcile(
                        context,
                        source,
                        e,
                        "Azure answered 409 " + AzureFailures.armCode(e)
                                + " (a create of this name was accepted before)");
            }
        }
        context.evidence(SERVER_NAME, restored.name());
        context.evidence(FQDN, restored.fqdn());
        context.evidence(SERVER_ID, restored.id());
        context.evidence(STATE, restored.state());
        context.evidence(SelfHostedPointInTimeRestoreStep.TARGET_TIME, pointInTime.toString());
    }

    /**
     * After a create whose outcome is unknown: reads the target; this restore is adopted and awaited,
     * none means the create did not take effect (the executor may send it again), another server is refused.
     */
    private FlexibleServerControlPlane.ServerInfo reconcile(
            StepContext context, FlexibleServerControlPlane.ServerInfo source, RollbackException cause, String why) {
        Optional<FlexibleServerControlPlane.ServerInfo> found = controlPlane.find(context, resourceGroup, targetServer);
        if (found.isEmpty()) {
            throw new IndeterminateOutcomeException(
                    "the restore of " + sourceServer + " into " + resourceGroup + "/" + targetServer + ": " + why
                            + "; the server does not exist, so the create did not take effect and may be sent again",
                    cause);
        }
        FlexibleServerControlPlane.ServerInfo adopted = adopt(context, source, found.get(), why);
        context.evidence(RECONCILED, Redaction.redact(why + "; the server exists as this restore: adopted"));
        return adopted;
    }

    /** Adopts {@code server} if it is this restore (source and restore point), waiting until it is Ready; refuses any other. */
    private FlexibleServerControlPlane.ServerInfo adopt(
            StepContext context,
            FlexibleServerControlPlane.ServerInfo source,
            FlexibleServerControlPlane.ServerInfo server,
            String why) {
        Optional<String> notThisRestore = notThisRestore(source, server);
        if (notThisRestore.isPresent()) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "a server named " + targetServer + " already exists in " + resourceGroup + " (" + why
                            + ") and is not the restore of " + sourceServer + " to " + pointInTime + ": "
                            + notThisRestore.get() + "; it is never adopted nor overwritten");
        }
        FlexibleServerControlPlane.ServerInfo ready = awaitReady(context, server);
        context.evidence(ADOPTED, "true");
        return ready;
    }

    /** Why {@code server} is not this restore, or empty if it is: same source, same restore point. */
    private Optional<String> notThisRestore(
            FlexibleServerControlPlane.ServerInfo source, FlexibleServerControlPlane.ServerInfo server) {
        Optional<String> from = server.restoredFrom()
                .or(() -> Optional.ofNullable(server.tags().get(FlexibleServerControlPlane.SOURCE_TAG)));
        if (from.isEmpty()) {
            return Optional.of("it says nothing of a source (not a restore)");
        }
        if (!from.get().equalsIgnoreCase(source.id())) {
            return Optional.of("it was restored from " + from.get());
        }
        Optional<Instant> point = server.pointInTime()
                .or(() -> Optional.ofNullable(server.tags().get(FlexibleServerControlPlane.POINT_TAG))
                        .flatMap(FlexibleServerPointInTimeRestoreStep::instant));
        if (point.isEmpty()) {
            return Optional.of("nothing shows which point in time it was restored to (no "
                    + FlexibleServerControlPlane.POINT_TAG + " tag, no pointInTimeUTC)");
        }
        if (!point.get().equals(pointInTime)) {
            return Optional.of("it was restored to " + point.get());
        }
        return Optional.empty();
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether this restore is in place, read from Azure: true when the target is this restore (source
     * and restore point) and {@code Ready}; false when no server of that name exists; empty ("cannot
     * tell") while it is still being restored or when another server holds the name.
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Optional<FlexibleServerControlPlane.ServerInfo> found = controlPlane.find(context, resourceGroup, targetServer);
        if (found.isEmpty()) {
            return Optional.of(false);
        }
        FlexibleServerControlPlane.ServerInfo source = source(context);
        return notThisRestore(source, found.get()).isEmpty()
                        && "Ready".equalsIgnoreCase(found.get().state())
                ? Optional.of(true)
                : Optional.empty();
    }

    private FlexibleServerControlPlane.ServerInfo awaitReady(
            StepContext context, FlexibleServerControlPlane.ServerInfo server) {
        FlexibleServerControlPlane.ServerInfo current = server;
        Duration pause = controlPlane.pollInterval().compareTo(Duration.ofSeconds(5)) < 0
                ? controlPlane.pollInterval()
                : Duration.ofSeconds(5);
        for (int reads = 1; !"Ready".equalsIgnoreCase(current.state()); reads++) {
            // the control plane answered: a poll that hangs is what a stall timeout is there to catch
            context.progress("the restore " + targetServer + " is " + current.state() + " (read " + reads + ")");
            if (context.remaining().compareTo(pause.plus(Duration.ofSeconds(1))) < 0) {
                throw new RollbackException(
                        ErrorCode.STEP_TIMED_OUT,
                        "the restore " + targetServer + " of " + sourceServer + " to " + pointInTime + " is still "
                                + current.state() + " at the deadline; it goes on in Azure, and a re-run adopts it");
            }
            try {
                context.clock().sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException("interrupted while waiting for " + targetServer);
            }
            current = controlPlane
                    .find(context, resourceGroup, targetServer)
                    .orElseThrow(() -> new RollbackException(
                            ErrorCode.STEP_FAILED,
                            "the restore " + targetServer + " disappeared while it was awaited"));
        }
        return current;
    }

    /** What the restore's wait leaves for reading the target afterwards. */
    private static Duration reserve(StepContext context) {
        Duration quarter = context.remaining().dividedBy(4);
        return quarter.compareTo(LONGEST_RESERVE) < 0 ? quarter : LONGEST_RESERVE;
    }

    private FlexibleServerControlPlane.ServerInfo source(StepContext context) {
        return controlPlane
                .find(context, resourceGroup, sourceServer)
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "source server " + resourceGroup + "/" + sourceServer + " not found"));
    }

    @Override
    public String toString() {
        return "FlexibleServerPointInTimeRestoreStep[" + id + ", " + resourceGroup + "/" + sourceServer + " -> "
                + targetServer + " at " + pointInTime + "]";
    }

    /**
     * Builds a {@link FlexibleServerPointInTimeRestoreStep}. Setters check their argument at once;
     * not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private String id = "point-in-time-restore";
        private String component = "postgres";
        private FlexibleServerControlPlane controlPlane;
        private String resourceGroup;
        private String sourceServer;
        private String targetServer;
        private Instant pointInTime;

        private Builder() {}

        /** The step id. Default: {@code point-in-time-restore}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The Azure control plane (see {@link FlexibleServerControlPlane#ofPostgreSqlManager}). Required. */
        public Builder controlPlane(FlexibleServerControlPlane controlPlane) {
            this.controlPlane = Objects.requireNonNull(controlPlane, "controlPlane");
            return this;
        }

        /** The resource group of both servers. Required. */
        public Builder resourceGroup(String resourceGroup) {
            Objects.requireNonNull(resourceGroup, "resourceGroup");
            if (!RESOURCE_GROUP_RULE.matcher(resourceGroup).matches() || resourceGroup.endsWith(".")) {
                throw new IllegalArgumentException("resourceGroup must be 1-90 letters, digits, '_', '.', '(', ')' or"
                        + " '-', not ending in '.', but was '" + Arguments.printable(resourceGroup) + "'");
            }
            this.resourceGroup = resourceGroup;
            return this;
        }

        /** The server to restore from. Required. */
        public Builder sourceServer(String sourceServer) {
            this.sourceServer = serverName(sourceServer, "sourceServer");
            return this;
        }

        /** The name of the new server; must differ from the source. Required. */
        public Builder targetServer(String targetServer) {
            this.targetServer = serverName(targetServer, "targetServer");
            return this;
        }

        /** The UTC instant to restore to. Required. */
        public Builder pointInTime(Instant pointInTime) {
            this.pointInTime = Objects.requireNonNull(pointInTime, "pointInTime");
            return this;
        }

        private static String serverName(String value, String field) {
            Objects.requireNonNull(value, field);
            if (!SERVER_NAME_RULE.matcher(value).matches()) {
                throw new IllegalArgumentException(field + " must be 3-63 lowercase letters, digits and '-', not"
                        + " starting or ending with '-', but was '" + Arguments.printable(value) + "'");
            }
            return value;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if a value is missing or the target is the source
         */
        public FlexibleServerPointInTimeRestoreStep build() {
            if (controlPlane == null
                    || resourceGroup == null
                    || sourceServer == null
                    || targetServer == null
                    || pointInTime == null) {
                throw new IllegalStateException(
                        "controlPlane, resourceGroup, sourceServer, targetServer and" + " pointInTime are required");
            }
            if (sourceServer.equals(targetServer)) {
                throw new IllegalStateException("targetServer must differ from sourceServer (" + sourceServer
                        + "): a restore never overwrites its source");
            }
            return new FlexibleServerPointInTimeRestoreStep(this);
        }
    }
}
