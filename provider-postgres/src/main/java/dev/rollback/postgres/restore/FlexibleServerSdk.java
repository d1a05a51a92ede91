package dev.rollback.postgres.restore;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.ServersClient;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.models.ServerInner;
import com.azure.resourcemanager.postgresqlflexibleserver.models.CreateMode;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.postgres.restore.FlexibleServerControlPlane.ServerInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The Azure SDK calls behind {@link FlexibleServerControlPlane}: the only class of this provider
 * whose code names Azure SDK types. Kept apart from the public facade so that the facade loads (and
 * checks for the optional SDK) without the SDK on the class path; the JVM loads this class only when
 * a control plane is built. Immutable and thread-safe (the SDK client is).
 */
final class FlexibleServerSdk {
    private final ServersClient servers;

    private FlexibleServerSdk(ServersClient servers) {
        this.servers = servers;
    }

    static FlexibleServerSdk of(PostgreSqlManager manager) {
        return new FlexibleServerSdk(manager.serviceClient().getServers());
    }

    /** The server, or empty if it does not exist. */
    Optional<ServerInfo> find(String resourceGroup, String name) {
        try {
            return Optional.of(info(servers.getByResourceGroup(resourceGroup, name)));
        } catch (ManagementException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return Optional.empty();
            }
            throw failure("reading flexible server " + resourceGroup + "/" + name, e);
        }
    }

    /**
     * Starts the restore of {@code source} at {@code pointInTime} into a new server and waits up to
     * {@code timeout} for it.
     *
     * @throws RollbackException {@code STEP_TIMED_OUT} if it is still running after the timeout
     *     (the restore goes on in Azure; a retry adopts it)
     */
    ServerInfo restore(ServerInfo source, String resourceGroup, String target, Instant pointInTime, Duration timeout) {
        ServerInner body = new ServerInner()
                .withCreateMode(CreateMode.POINT_IN_TIME_RESTORE)
                .withSourceServerResourceId(source.id())
                .withPointInTimeUtc(OffsetDateTime.ofInstant(pointInTime, ZoneOffset.UTC));
        body.withLocation(source.region());
        try {
            SyncPoller<PollResult<ServerInner>, ServerInner> poller = servers.beginCreate(resourceGroup, target, body);
            try {
                poller.waitForCompletion(timeout);
            } catch (RuntimeException e) {
                if (rootCause(e) instanceof TimeoutException) {
                    throw new RollbackException(
                            ErrorCode.STEP_TIMED_OUT,
                            "the restore of " + source.name() + " into "
                                    + target + " did not finish within " + timeout + "; it goes on in Azure and a retry"
                                    + " adopts it");
                }
                throw e;
            }
            return info(poller.getFinalResult());
        } catch (ManagementException e) {
            throw failure("restoring " + source.name() + " into " + resourceGroup + "/" + target, e);
        }
    }

    private static ServerInfo info(ServerInner s) {
        Optional<Instant> earliest = Optional.ofNullable(s.backup())
                .map(b -> b.earliestRestoreDate())
                .map(OffsetDateTime::toInstant);
        Optional<Integer> retention = Optional.ofNullable(s.backup()).map(b -> b.backupRetentionDays());
        return new ServerInfo(
                s.id(),
                s.name(),
                s.location(),
                earliest,
                retention,
                Objects.toString(s.fullyQualifiedDomainName(), ""),
                Objects.toString(s.state(), ""),
                Optional.ofNullable(s.sourceServerResourceId()));
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A 429/5xx is transient, 401/403 a credential problem (without the credential), the rest external. */
    private static RollbackException failure(String what, ManagementException e) {
        int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
        String code = e.getValue() == null ? "" : Objects.toString(e.getValue().getCode(), "");
        String message =
                what + " failed: HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": " + Redaction.describe(e);
        if (status == 401 || status == 403) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM, what + " failed: credential problem (HTTP " + status + ")", e);
        }
        if (status == 429 || status >= 500) {
            return new TransientFailureException(message, e);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, e);
    }
}
