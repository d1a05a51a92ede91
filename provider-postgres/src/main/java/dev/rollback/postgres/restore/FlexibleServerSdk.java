package dev.rollback.postgres.restore;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.ServersClient;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.models.ServerInner;
import com.azure.resourcemanager.postgresqlflexibleserver.models.CreateMode;
import dev.rollback.api.StepContext;
import dev.rollback.azure.AzureCall;
import dev.rollback.azure.AzureFailures;
import dev.rollback.azure.AzureOperations;
import dev.rollback.azure.AzurePipelines;
import dev.rollback.postgres.restore.FlexibleServerControlPlane.ServerInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Azure SDK calls behind {@link FlexibleServerControlPlane}: the only class of this provider
 * whose code names Azure SDK types. Kept apart from the public facade so that the facade loads (and
 * checks for the optional SDK) without the SDK on the class path; the JVM loads this class only when
 * a control plane is built. Every call goes through an {@link AzureCall} of the step that makes it.
 * Immutable and thread-safe (the SDK client is).
 */
final class FlexibleServerSdk {
    private final ServersClient servers;
    private final Duration pollInterval;

    private FlexibleServerSdk(ServersClient servers, Duration pollInterval) {
        this.servers = servers;
        this.pollInterval = pollInterval;
    }

    static FlexibleServerSdk of(PostgreSqlManager manager) {
        AzurePipelines.requireDeadlineAware(manager.serviceClient().getHttpPipeline(), "the PostgreSqlManager");
        Duration interval = manager.serviceClient().getDefaultPollInterval();
        return new FlexibleServerSdk(
                manager.serviceClient().getServers(),
                interval == null || interval.isZero() || interval.isNegative() ? Duration.ofSeconds(30) : interval);
    }

    Duration pollInterval() {
        return pollInterval;
    }

    /** The server, or empty if it does not exist. */
    Optional<ServerInfo> find(StepContext ctx, String resourceGroup, String name) {
        AzureCall call = AzureCall.read(ctx, "reading flexible server " + resourceGroup + "/" + name);
        try {
            return Optional.of(info(servers.getByResourceGroupWithResponse(resourceGroup, name, call.context())
                    .getValue()));
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == 404) {
                return Optional.empty();
            }
            throw call.failure(e);
        }
    }

    /** Starts the restore, tagged with its source and point, and awaits it; see {@link FlexibleServerControlPlane}. */
    ServerInfo restore(
            StepContext ctx,
            ServerInfo source,
            String resourceGroup,
            String target,
            Instant pointInTime,
            Duration reserve) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(FlexibleServerControlPlane.SOURCE_TAG, source.id());
        tags.put(FlexibleServerControlPlane.POINT_TAG, pointInTime.toString());
        ServerInner body = new ServerInner()
                .withCreateMode(CreateMode.POINT_IN_TIME_RESTORE)
                .withSourceServerResourceId(source.id())
                .withPointInTimeUtc(OffsetDateTime.ofInstant(pointInTime, ZoneOffset.UTC));
        body.withLocation(source.region());
        body.withTags(tags);
        AzureCall call = AzureCall.change(
                ctx,
                "restoring " + source.name() + " at " + pointInTime + " into flexible server " + resourceGroup + "/"
                        + target);
        SyncPoller<PollResult<ServerInner>, ServerInner> poller;
        try {
            poller = servers.beginCreate(resourceGroup, target, body, call.context());
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
        return info(AzureOperations.await(poller, call, pollInterval, reserve));
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
                Optional.ofNullable(s.sourceServerResourceId()),
                Optional.ofNullable(s.pointInTimeUtc()).map(OffsetDateTime::toInstant),
                s.tags() == null ? Map.of() : Map.copyOf(s.tags()));
    }
}
