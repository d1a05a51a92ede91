package dev.rollback.postgres.failover;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.rest.Response;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.BinaryData;
import com.azure.core.util.serializer.TypeReference;
import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.PostgreSqlManagementClient;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.ServersClient;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.models.ServerInner;
import com.azure.resourcemanager.postgresqlflexibleserver.models.FailoverMode;
import com.azure.resourcemanager.postgresqlflexibleserver.models.HighAvailability;
import com.azure.resourcemanager.postgresqlflexibleserver.models.RestartParameter;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.Activation;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.Answer;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.HaServer;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.OperationState;
import dev.rollback.postgres.failover.HighAvailabilityControlPlane.Poll;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Flux;

/**
 * The Azure SDK calls behind {@link HighAvailabilityControlPlane}: the only class of this package
 * whose code names Azure SDK (and Reactor) types. Kept apart from the public facade so that the
 * facade loads (and checks for the optional SDK) without the SDK on the class path; the JVM loads
 * this class only when a control plane is built. Immutable and thread-safe (the SDK clients are).
 */
final class HighAvailabilitySdk {
    private static final HttpHeaderName ASYNC_OPERATION = HttpHeaderName.fromString("Azure-AsyncOperation");
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    private final ServersClient servers;
    private final ServersClient failovers;
    private final HttpPipeline pipeline;

    private HighAvailabilitySdk(ServersClient servers, ServersClient failovers, HttpPipeline pipeline) {
        this.servers = servers;
        this.failovers = failovers;
        this.pipeline = pipeline;
    }

    /**
     * The clients of {@code manager}: its servers client for reads and polls, and one over the same
     * pipeline minus its {@link RetryPolicy} for the failover request.
     */
    static HighAvailabilitySdk of(PostgreSqlManager manager) {
        PostgreSqlManagementClient client = manager.serviceClient();
        HttpPipeline full = client.getHttpPipeline();
        List<HttpPipelinePolicy> once = new ArrayList<>();
        for (int i = 0; i < full.getPolicyCount(); i++) {
            HttpPipelinePolicy policy = full.getPolicy(i);
            if (!(policy instanceof RetryPolicy)) {
                once.add(policy);
            }
        }
        HttpPipeline noRetries = new HttpPipelineBuilder()
                .httpClient(full.getHttpClient())
                .policies(once.toArray(new HttpPipelinePolicy[0]))
                .build();
        AzureProfile profile = new AzureProfile(
                null,
                client.getSubscriptionId(),
                new AzureEnvironment(Map.of("resourceManagerEndpointUrl", client.getEndpoint())));
        ServersClient sendOnce = PostgreSqlManager.authenticate(noRetries, profile)
                .serviceClient()
                .getServers();
        return new HighAvailabilitySdk(client.getServers(), sendOnce, full);
    }

    /** The server, or empty if it does not exist. */
    Optional<HaServer> read(String resourceGroup, String name, Duration timeout) {
        String what = "reading flexible server " + resourceGroup + "/" + name;
        try {
            ServerInner s = servers.getByResourceGroupAsync(resourceGroup, name).block(timeout);
            return Optional.ofNullable(s).map(HighAvailabilitySdk::server);
        } catch (ManagementException e) {
            if (status(e) == 404) {
                return Optional.empty();
            }
            throw failure(what, e);
        } catch (RuntimeException e) {
            throw unanswered(what, timeout, e);
        }
    }

    /**
     * Sends one forced failover request, never retried, and waits up to {@code timeout} for its
     * answer.
     *
     * @throws RollbackException when the service answered with a refusal (4xx): nothing happened;
     *     {@link TransientFailureException} for a 429 (also nothing happened)
     */
    Activation startForcedFailover(String resourceGroup, String name, Duration timeout) {
        String what = "the forced failover of flexible server " + resourceGroup + "/" + name;
        RestartParameter parameter =
                new RestartParameter().withRestartWithFailover(true).withFailoverMode(FailoverMode.FORCED_FAILOVER);
        Response<Flux<ByteBuffer>> response;
        try {
            response = failovers
                    .restartWithResponseAsync(resourceGroup, name, parameter)
                    .block(timeout);
        } catch (ManagementException e) {
            int status = status(e);
            if (status == 408 || status >= 500) {
                return new Activation(
                        Answer.UNKNOWN,
                        Optional.empty(),
                        false,
                        Duration.ZERO,
                        "answered HTTP " + status + ": " + Redaction.describe(e));
            }
            throw failure(what, e);
        } catch (RuntimeException e) {
            interruptedOrNot(what, e);
            return new Activation(
                    Answer.UNKNOWN,
                    Optional.empty(),
                    false,
                    Duration.ZERO,
                    timedOut(e) ? "no answer within " + timeout : "no answer: " + Redaction.describe(e));
        }
        if (response == null) {
            return new Activation(Answer.UNKNOWN, Optional.empty(), false, Duration.ZERO, "an empty answer");
        }
        HttpHeaders headers = response.getHeaders();
        try {
            response.getValue().then().block(timeout);
        } catch (RuntimeException e) {
            // the body of a 200/202 to a restart carries nothing the step needs
        }
        if (response.getStatusCode() == 200) {
            return new Activation(Answer.COMPLETED, Optional.empty(), false, Duration.ZERO, "answered HTTP 200");
        }
        Optional<String> async = Optional.ofNullable(headers.getValue(ASYNC_OPERATION));
        Optional<String> location = Optional.ofNullable(headers.getValue(HttpHeaderName.LOCATION));
        return new Activation(
                Answer.ACCEPTED,
                async.or(() -> location),
                async.isPresent(),
                retryAfter(headers),
                "answered HTTP " + response.getStatusCode());
    }

    /** Polls the operation once, waiting up to {@code timeout} for the answer. */
    Poll poll(Activation activation, Duration timeout) {
        String url = activation.pollUrl().orElseThrow();
        HttpResponse response;
        String body;
        try {
            response = pipeline.send(new HttpRequest(HttpMethod.GET, url)).block(timeout);
            if (response == null) {
                return new Poll(OperationState.NO_ANSWER, "an empty answer", Duration.ZERO);
            }
            try (HttpResponse closing = response) {
                body = Objects.toString(closing.getBodyAsString().block(timeout), "");
            }
        } catch (RuntimeException e) {
            interruptedOrNot("polling the failover", e);
            return new Poll(
                    OperationState.NO_ANSWER,
                    timedOut(e) ? "no answer within " + timeout : Redaction.describe(e),
                    Duration.ZERO);
        }
        int status = response.getStatusCode();
        Duration retryAfter = retryAfter(response.getHeaders());
        if (status == 429 || status >= 500) {
            return new Poll(OperationState.NO_ANSWER, "HTTP " + status, retryAfter);
        }
        if (status >= 400) {
            return new Poll(OperationState.FAILED, "HTTP " + status + " " + error(body), retryAfter);
        }
        if (!activation.asyncOperation()) {
            return status == 202
                    ? new Poll(OperationState.IN_PROGRESS, "InProgress", retryAfter)
                    : new Poll(OperationState.SUCCEEDED, "Succeeded", retryAfter);
        }
        String operationStatus = field(body, "status").orElse("");
        if ("Succeeded".equalsIgnoreCase(operationStatus)) {
            return new Poll(OperationState.SUCCEEDED, operationStatus, retryAfter);
        }
        if ("Failed".equalsIgnoreCase(operationStatus) || "Canceled".equalsIgnoreCase(operationStatus)) {
            return new Poll(OperationState.FAILED, operationStatus + " " + error(body), retryAfter);
        }
        return new Poll(
                OperationState.IN_PROGRESS, operationStatus.isEmpty() ? "InProgress" : operationStatus, retryAfter);
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

    private static Duration retryAfter(HttpHeaders headers) {
        String value = headers.getValue(HttpHeaderName.RETRY_AFTER);
        if (value == null) {
            return Duration.ZERO;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds > 0 ? Duration.ofSeconds(seconds) : Duration.ZERO;
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }

    /** The {@code error.code: error.message} of an ARM error body, or nothing. */
    private static String error(String body) {
        Optional<Map<String, Object>> json = object(body);
        Object error = json.map(m -> m.get("error")).orElse(null);
        if (!(error instanceof Map<?, ?> map)) {
            return "";
        }
        return Redaction.redact(
                Objects.toString(map.get("code"), "") + ": " + Objects.toString(map.get("message"), ""));
    }

    private static Optional<String> field(String body, String name) {
        return object(body).map(m -> m.get(name)).map(Object::toString);
    }

    private static Optional<Map<String, Object>> object(String body) {
        if (body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(BinaryData.fromString(body).toObject(JSON_OBJECT));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int status(ManagementException e) {
        return e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException
                    || (t instanceof IllegalStateException
                            && Objects.toString(t.getMessage(), "").startsWith("Timeout on blocking read"))) {
                return true;
            }
        }
        return false;
    }

    /** Throws {@link StepInterruptedException} if the wait was interrupted (the step's deadline or an abort). */
    private static void interruptedOrNot(String what, RuntimeException e) {
        boolean interrupted = Thread.currentThread().isInterrupted();
        for (Throwable t = e; t != null && !interrupted; t = t.getCause() == t ? null : t.getCause()) {
            interrupted = t instanceof InterruptedException;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new StepInterruptedException("interrupted while waiting for " + what);
        }
    }

    private static RollbackException unanswered(String what, Duration timeout, RuntimeException e) {
        interruptedOrNot(what, e);
        return new TransientFailureException(
                what + " got no answer" + (timedOut(e) ? " within " + timeout : ": " + Redaction.describe(e)), e);
    }

    /** A 429/5xx is transient, 401/403 a credential problem (without the credential), the rest external. */
    private static RollbackException failure(String what, ManagementException e) {
        int status = status(e);
        String code = e.getValue() == null ? "" : Objects.toString(e.getValue().getCode(), "");
        String message = what + " was refused: HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": "
                + Redaction.describe(e);
        if (status == 401 || status == 403) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM, what + " was refused: credential problem (HTTP " + status + ")", e);
        }
        if (status == 429 || status >= 500) {
            return new TransientFailureException(message, e);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, e);
    }
}
