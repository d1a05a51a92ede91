package dev.rollback.postgres.failover;

import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.OptionalDependencies;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The Azure Database for PostgreSQL flexible-server control plane as
 * {@link FlexibleServerFailoverStep} uses it: read a server's high availability, send a forced
 * failover to its standby ({@code POST .../flexibleServers/{name}/restart} with
 * {@code restartWithFailover: true, failoverMode: ForcedFailover}, api-version 2022-12-01), and poll
 * the long-running operation it starts. Build it with {@link #ofPostgreSqlManager(PostgreSqlManager)}
 * from a manager you configured (credential, profile, HTTP client, retry options): the one factory of
 * this package that takes an SDK type.
 *
 * <p>A failover is not idempotent (a second one fails back), so it is never sent twice: the failover
 * request goes through the manager's own pipeline <b>without its {@code RetryPolicy}</b> (the SDK
 * would otherwise re-send it after a connection reset or a timeout, although the service may have
 * acted), and every wait is bounded by the timeout the step passes, so none outlives its deadline.
 * Reads and polls, which change nothing, keep the manager's retries, cut at that timeout.
 *
 * <p>The Azure SDK is an optional dependency of provider-postgres: an application that uses this class
 * adds {@code com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver} (and
 * {@code com.azure:azure-identity}); without them, loading this class fails with an
 * {@code INVALID_CONFIGURATION} error naming them.
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
                "com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver (with com.azure:azure-identity"
                        + " for a credential and an HTTP client)",
                "com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager",
                "com.azure.core.management.exception.ManagementException",
                "reactor.core.publisher.Mono");
    }

    private final HighAvailabilitySdk sdk;

    private HighAvailabilityControlPlane(HighAvailabilitySdk sdk) {
        this.sdk = sdk;
    }

    /**
     * A control plane over a pre-built {@link PostgreSqlManager}; the only factory of this package
     * that takes an SDK type. The failover request is sent through the manager's pipeline minus its
     * {@code RetryPolicy}; a retrying policy of your own in that pipeline would defeat this, so keep
     * retries to the manager's retry options.
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
     *     {@link TransientFailureException} when it does not answer within {@code timeout}
     */
    Optional<HaServer> read(String resourceGroup, String name, Duration timeout) {
        return sdk.read(resourceGroup, name, timeout);
    }

    /** How the failover request ended, as far as the client can tell. */
    enum Answer {
        /** Answered 200: the failover is done. */
        COMPLETED,
        /** Answered 202: a long-running operation runs, polled at {@link Activation#pollUrl()}. */
        ACCEPTED,
        /** No answer (reset, timeout, a 5xx): the service may or may not have acted. */
        UNKNOWN
    }

    /**
     * The answer to the failover request.
     *
     * @param answer how it ended
     * @param pollUrl the operation's status URL ({@code Azure-AsyncOperation}, else {@code Location})
     * @param asyncOperation whether {@code pollUrl} is an {@code Azure-AsyncOperation} URL
     * @param retryAfter the wait the service asked for before the first poll; zero if none
     * @param detail what happened, for evidence and messages
     */
    record Activation(
            Answer answer, Optional<String> pollUrl, boolean asyncOperation, Duration retryAfter, String detail) {}

    /**
     * Sends one forced failover request, never retried, and waits up to {@code timeout} for its
     * answer.
     *
     * @throws RollbackException when the service answered with a refusal (4xx): nothing happened;
     *     {@link TransientFailureException} for a 429 (also nothing happened)
     */
    Activation startForcedFailover(String resourceGroup, String name, Duration timeout) {
        return sdk.startForcedFailover(resourceGroup, name, timeout);
    }

    /** The state of a long-running operation. */
    enum OperationState {
        /** Still running. */
        IN_PROGRESS,
        /** Done. */
        SUCCEEDED,
        /** Failed or canceled; nothing more happens. */
        FAILED,
        /** The poll got no usable answer (reset, timeout, 429, 5xx); poll again. */
        NO_ANSWER
    }

    /**
     * One poll.
     *
     * @param state what the operation says
     * @param detail its status or error, for evidence and messages
     * @param retryAfter the wait it asked for before the next poll; zero if none
     */
    record Poll(OperationState state, String detail, Duration retryAfter) {}

    /** Polls the operation once, waiting up to {@code timeout} for the answer. */
    Poll poll(Activation activation, Duration timeout) {
        return sdk.poll(activation, timeout);
    }

    @Override
    public String toString() {
        return "HighAvailabilityControlPlane";
    }
}
