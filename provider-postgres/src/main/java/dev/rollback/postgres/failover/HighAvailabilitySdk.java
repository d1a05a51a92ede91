package dev.rollback.postgres.failover;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.ServersClient;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.models.ServerInner;
import com.azure.resourcemanager.postgresqlflexibleserver.models.FailoverMode;
import com.azure.resourcemanager.postgresqlflexibleserver.models.HighAvailability;
import com.azure.resourcemanager.postgresqlflexibleserver.models.RestartParameter;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.azure.AzureCall;
import dev.rollback.azure.AzureFailures;
import dev.rollback.azure.AzureOperations;
import dev.rollback.azure.AzurePipelines;
import dev.rollback.azure.OperationStillRunningException;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.Activation;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.Answer;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.HaServer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The Azure SDK calls behind {@link HighAvailabilityControlPlane}: the only class of this package
 * whose code names Azure SDK types. Kept apart from the public facade so that the facade loads (and
 * checks for the optional SDK) without the SDK on the class path; the JVM loads this class only when
 * a control plane is built. Every call goes through an {@link AzureCall} of the step that makes it,
 * over the manager's pipeline, whose {@code DeadlineAwareRetryPolicy} never re-sends the failover and
 * never waits past the step's deadline. Immutable and thread-safe (the SDK client is).
 */
final class HighAvailabilitySdk {
    private final ServersClient servers;

    private HighAvailabilitySdk(ServersClient servers) {
        this.servers = servers;
    }

    /** The servers client of {@code manager}, whose pipeline must be deadline-aware. */
    static HighAvailabilitySdk of(PostgreSqlManager manager) {
        AzurePipelines.requireDeadlineAware(manager.serviceClient().getHttpPipeline(), "the PostgreSqlManager");
        return new HighAvailabilitySdk(manager.serviceClient().getServers());
    }

    /** The server, or empty if it does not exist. */
    Optional<HaServer> read(StepContext ctx, String resourceGroup, String name, Duration requestTimeout) {
        AzureCall call = AzureCall.read(ctx, "reading flexible server " + resourceGroup + "/" + name)
                .tryTimeout(requestTimeout);
        try {
            ServerInner s = servers.getByResourceGroupWithResponse(resourceGroup, name, call.context())
                    .getValue();
            return Optional.ofNullable(s).map(HighAvailabilitySdk::server);
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == 404) {
                return Optional.empty();
            }
            throw call.failure(e);
        }
    }

    /** Sends one forced failover and waits for its operation; see {@link HighAvailabilityControlPlane}. */
    Activation forcedFailover(
            StepContext ctx,
            String resourceGroup,
            String name,
            Duration requestTimeout,
            Duration pollInterval,
            Duration reserve,
            IntConsumer onAnsweredPoll) {
        AzureCall call = AzureCall.change(ctx, "the forced failover of flexible server " + resourceGroup + "/" + name)
                .tryTimeout(requestTimeout);
        RestartParameter parameter =
                new RestartParameter().withRestartWithFailover(true).withFailoverMode(FailoverMode.FORCED_FAILOVER);
        SyncPoller<PollResult<Void>, Void> poller;
        try {
            poller = servers.beginRestart(resourceGroup, name, parameter, call.context());
        } catch (RuntimeException e) {
            RollbackException mapped = call.failure(e);
            if (mapped instanceof IndeterminateOutcomeException) {
                return new Activation(Answer.UNKNOWN, "no answer: " + mapped.getMessage());
            }
            throw mapped; // a refusal: nothing happened
        }
        try {
            AzureOperations.await(poller, call, pollInterval, reserve, onAnsweredPoll);
            return new Activation(Answer.COMPLETED, "accepted; the operation reported Succeeded");
        } catch (IndeterminateOutcomeException e) {
            return new Activation(Answer.UNKNOWN, "accepted, then no answer to a poll: " + e.getMessage());
        } catch (OperationStillRunningException e) {
            throw e;
        } catch (RollbackException e) {
            if (e.code() == ErrorCode.EXTERNAL_FAILURE) {
                return new Activation(Answer.FAILED, e.getMessage());
            }
            throw e;
        }
    }

    private static HaServer server(ServerInner s) {
        Optional<HighAvailability> ha = Optional.ofNullable(s.highAvailability());
        return new HaServer(
                Objects.toString(s.name(), ""),
                Objects.toString(s.state(), ""),
                ha.map(HighAvailability::mode).map(Object::toString).orElse(""),
                ha.map(HighAvailability::state).map(Object::toString).orElse("NotEnabled"),
                Objects.toString(s.availabilityZone(), ""),
                ha.map(HighAvailability::standbyAvailabilityZone).filter(z -> !z.isBlank()),
                Objects.toString(s.fullyQualifiedDomainName(), ""));
    }
}
