package dev.rollback.postgres.failover;

import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.OptionalDependencies;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The Azure Database for PostgreSQL flexible-server control plane as
 * {@link FlexibleServerFailoverStep} uses it: read a server's high availability, send a forced
 * failover to its standby ({@code POST .../flexibleServers/{name}/restart} with
 * {@code restartWithFailover: true, failoverMode: ForcedFailover}), and wait for the long-running
 * operation it starts. Build it with {@link #ofPostgreSqlManager(PostgreSqlManager)} from a manager
 * you configured (credential, profile, HTTP client) with rollback-azure's
 * {@code DeadlineAwareRetryPolicy} in its retry slot:
 * {@code PostgreSqlManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults()).authenticate(credential, profile)}.
 * It is the one factory of this package that takes an SDK type, and it refuses a manager built any
 * other way.
 *
 * <p>A failover is not idempotent (a second one fails back), so it is never sent twice: every call
 * carries the step's deadline ({@code AzureCall}), the failover is a change that the pipeline's policy
 * never re-sends once it may have reached Azure (a reset after sending, no answer in time, a 5xx end
 * it as an indeterminate outcome, for the step to read the server), a server-asked wait longer than
 * the step has left ends it at once, and the operation is polled with rollback-azure's
 * {@code AzureOperations}, which stops at the deadline. Reads and polls change nothing and may be
 * re-sent by the policy.
 *
 * <p>The Azure SDK and rollback-azure are optional dependencies of provider-postgres: an application
 * that uses this class adds {@code com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver}
 * and {@code dev.rollback:rollback-azure} (and {@code com.azure:azure-identity}); without them,
 * loading this class fails with an {@code INVALID_CONFIGURATION} error naming them.
 *
 * <p>Immutable and thread-safe (the SDK clients are). It never creates, deletes, updates, stops or
 * starts a server, and never restarts one without a failover.
 */
public final class HighAvailabilityControlPlane {
    static {
        // The Azure SDK is an optional dependency of provider-postgres: say which artifact is missing.
        OptionalDependencies.require(
                HighAvailabilityControlPlane.class,
                "The Azure flexible-server failover (HighAvailabilityControlPlane)",
                "com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver and dev.rollback:rollback-azure"
                        + " (with com.azure:azure-identity for a credential and an HTTP client)",
                "com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager",
                "com.azure.core.management.exception.ManagementException",
                "com.azure.core.util.polling.SyncPoller",
                "dev.rollback.azure.AzureCall");
    }

    private final HighAvailabilitySdk sdk;

    private HighAvailabilityControlPlane(HighAvailabilitySdk sdk) {
        this.sdk = sdk;
    }

    /**
     * A control plane over a pre-built {@link PostgreSqlManager}; the only factory of this package
     * that takes an SDK type.
     *
     * @throws IllegalArgumentException if the manager's pipeline does not retry with exactly one
     *     {@code DeadlineAwareRetryPolicy} (azure-core's own would send the failover twice and sleep
     *     past the deadline), naming what to change: build it with
     *     {@code PostgreSqlManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())}
     */
    public static HighAvailabilityControlPlane ofPostgreSqlManager(PostgreSqlManager manager) {
        Objects.requireNonNull(manager, "manager");
        return new HighAvailabilityControlPlane(HighAvailabilitySdk.of(manager));
    }

    /** What the failover step sees of a server: where its primary and standby are and how they are. */
    record HaServer(
            String name,
            String state,
            String mode,
            String haState,
            String primaryZone,
            Optional<String> standbyZone,
            String fqdn) {

        boolean highAvailability() {
            return !mode.isEmpty() && !"Disabled".equalsIgnoreCase(mode);
        }

        boolean standbyHealthy() {
            return "Healthy".equalsIgnoreCase(haState);
        }

        boolean failingOver() {
            return "FailingOver".equalsIgnoreCase(haState);
        }

        boolean ready() {
            return "Ready".equalsIgnoreCase(state);
        }

        /** Whether primary and standby are told apart by their zones (not so for same-zone HA). */
        boolean zonesDistinct() {
            return standbyZone.isPresent()
                    && !primaryZone.isEmpty()
                    && !standbyZone.get().equals(primaryZone);
        }

        String describe() {
            return "state " + state + ", high availability " + (mode.isEmpty() ? "unknown" : mode) + " "
                    + haState + ", primary in zone " + (primaryZone.isEmpty() ? "unknown" : primaryZone)
                    + ", standby in zone " + standbyZone.orElse("none");
        }
    }

    /**
     * The server, or empty if it does not exist.
     *
     * @throws RollbackException naming the server when the control plane refuses;
     *     {@link TransientFailureException} when it does not answer
     */
    Optional<HaServer> read(StepContext ctx, String resourceGroup, String name, Duration requestTimeout) {
        return sdk.read(ctx, resourceGroup, name, requestTimeout);
    }

    /** How the failover ended, as far as the client can tell. */
    enum Answer {
        /** Accepted, and its operation reported Succeeded. */
        COMPLETED,
        /** Accepted, and its operation reported Failed or Canceled (the server tells whether it acted). */
        FAILED,
        /** No answer (reset, timeout, a 5xx) to the request or to a poll: the service may or may not have acted. */
        UNKNOWN
    }

    /**
     * How the failover request and its operation ended.
     *
     * @param answer how it ended
     * @param detail what happened, for evidence and messages
     */
    record Activation(Answer answer, String detail) {}

    /**
     * Sends one forced failover request, never re-sent once it may have reached Azure, and polls its
     * operation until it ends or the step's deadline less {@code reserve} comes.
     *
     * @throws RollbackException when the service refused the request (4xx): nothing happened;
     *     {@link TransientFailureException} for a 408, 429 or 503 (also nothing happened), at once when
     *     the server asks for a wait longer than the step has left
     * @throws dev.rollback.azure.OperationStillRunningException when the operation was accepted and still
     *     runs when the wait had to stop
     */
    Activation forcedFailover(
            StepContext ctx,
            String resourceGroup,
            String name,
            Duration requestTimeout,
            Duration pollInterval,
            Duration reserve,
            IntConsumer onAnsweredPoll) {
        return sdk.forcedFailover(ctx, resourceGroup, name, requestTimeout, pollInterval, reserve, onAnsweredPoll);
    }

    @Override
    public String toString() {
        return "HighAvailabilityControlPlane";
    }
}
