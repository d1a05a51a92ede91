package dev.rollback.postgres.restore;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.ToolArguments;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runbook's {@code az postgres flexible-server restore}: creates a NEW Azure Database for
 * PostgreSQL flexible server from a source server as it was at a UTC instant ({@code createMode
 * PointInTimeRestore}), in the source's region, and waits for the long-running operation within the
 * step's deadline. The source is only read; the target name must differ from it.
 *
 * <p>Before any call it refuses an instant in the future; before any change it refuses (after one
 * read of the source) an instant before the source's earliest restore date or older than its
 * backup retention, naming the window. If the target server already exists as a restore of the same
 * source (a retry after a lost response or a timeout), it is adopted, never created twice; any other
 * existing server of that name is refused.
 *
 * <p>Evidence: {@value #SERVER_NAME}, {@value #FQDN}, {@value #SERVER_ID}, {@value #STATE}, and
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

    @Override
    public boolean idempotent() {
        return true;
    }

    /**
     * The window of the source: [max(earliest restore date, now − retention), now].
     *
     * @throws RollbackException if the source does not exist
     */
    public RestoreWindow window(Instant now) {
        return window(source(), now);
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
        check(context.clock().instant());
    }

    private FlexibleServerControlPlane.ServerInfo check(Instant now) {
        if (pointInTime.isAfter(now)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "restore point " + pointInTime + " is in the future (now " + now + "); nothing was called");
        }
        FlexibleServerControlPlane.ServerInfo source = source();
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
        FlexibleServerControlPlane.ServerInfo source = check(context.clock().instant());
        Optional<FlexibleServerControlPlane.ServerInfo> existing = controlPlane.find(resourceGroup, targetServer);
        FlexibleServerControlPlane.ServerInfo restored;
        if (existing.isPresent()) {
            if (!existing.get()
                    .restoredFrom()
                    .map(source.id()::equalsIgnoreCase)
                    .orElse(false)) {
                throw new RollbackException(
                        ErrorCode.STEP_FAILED,
                        "a server named " + targetServer + " already exists in " + resourceGroup
                                + " and is not a restore of " + sourceServer + "; it is never overwritten");
            }
            restored = awaitReady(context, existing.get());
            context.evidence("restore.adopted", "true");
        } else {
            restored = controlPlane.restore(source, resourceGroup, targetServer, pointInTime, context.remaining());
        }
        context.evidence(SERVER_NAME, restored.name());
        context.evidence(FQDN, restored.fqdn());
        context.evidence(SERVER_ID, restored.id());
        context.evidence(STATE, restored.state());
        context.evidence(SelfHostedPointInTimeRestoreStep.TARGET_TIME, pointInTime.toString());
    }

    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(controlPlane.find(resourceGroup, targetServer).isPresent());
    }

    private FlexibleServerControlPlane.ServerInfo awaitReady(
            StepContext context, FlexibleServerControlPlane.ServerInfo server) {
        FlexibleServerControlPlane.ServerInfo current = server;
        while (!"Ready".equalsIgnoreCase(current.state())) {
            if (context.stopRequested()) {
                throw new RollbackException(
                        ErrorCode.STEP_TIMED_OUT,
                        "the adopted restore " + targetServer + " is still " + current.state() + " at the deadline");
            }
            try {
                context.clock()
                        .sleep(
                                Duration.ofSeconds(1).compareTo(context.remaining()) < 0
                                        ? Duration.ofSeconds(1)
                                        : context.remaining());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException("interrupted while waiting for " + targetServer);
            }
            current = controlPlane
                    .find(resourceGroup, targetServer)
                    .orElseThrow(() -> new RollbackException(
                            ErrorCode.STEP_FAILED,
                            "the restore " + targetServer + " disappeared while it was awaited"));
            // the control plane answered: a poll that hangs is what a stall timeout is there to catch
            context.progress("the restore " + targetServer + " is " + current.state());
        }
        return current;
    }

    private FlexibleServerControlPlane.ServerInfo source() {
        return controlPlane
                .find(resourceGroup, sourceServer)
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
