package dev.rollback.testkit.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The WireMock extension that answers every stub of the simulator from its Java state: it looks up
 * the {@link AzureOperation} a stub serves (its transformer parameter {@value #OPERATION}), applies
 * the next injected {@link AzureFault} of that operation, and hands the request to the resource
 * provider's handler. Requests are handled one at a time under the simulator's lock.
 */
final class ArmResponder implements ResponseDefinitionTransformerV2 {

    /** The extension's name, which the stubs name as their transformer. */
    static final String NAME = "rollback-azure-arm";
    /** The transformer parameter naming the stub's operation. */
    static final String OPERATION = "operation";
    /** RFC 9110's IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private final SimulatedResources resources;
    private final LongRunningOperations operations;
    private final WebAppsApi webApps;
    private final RedisApi redis;
    private final StorageApi storage;
    private final FlexibleServersApi flexibleServers;
    private final CdnApi cdn;
    private final Map<AzureOperation, Deque<PendingFault>> faults = new EnumMap<>(AzureOperation.class);

    ArmResponder(SimulatedResources resources, LongRunningOperations operations) {
        this.resources = resources;
        this.operations = operations;
        this.webApps = new WebAppsApi(resources, operations);
        this.redis = new RedisApi(resources);
        this.storage = new StorageApi(resources, operations);
        this.flexibleServers = new FlexibleServersApi(resources, operations);
        this.cdn = new CdnApi(resources, operations);
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    void inject(AzureOperation operation, AzureFault fault) {
        synchronized (resources.lock()) {
            faults.computeIfAbsent(operation, o -> new ArrayDeque<>()).add(new PendingFault(fault));
        }
    }

    void clearFaults() {
        synchronized (resources.lock()) {
            faults.clear();
        }
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        AzureOperation operation =
                AzureOperation.valueOf(serveEvent.getTransformerParameters().getString(OPERATION));
        LoggedRequest request = serveEvent.getRequest();
        synchronized (resources.lock()) {
            AzureFault fault = nextFault(operation);
            if (fault != null && fault.kind() == AzureFault.Kind.NETWORK) {
                return ResponseDefinitionBuilder.responseDefinition()
                        .withFault(fault.networkFault())
                        .build();
            }
            if (fault != null && fault.kind() == AzureFault.Kind.STATUS) {
                return render(rejection(fault)).build();
            }
            ArmResponse response = handle(
                    armRequest(operation, request, fault != null && fault.kind().onOperation() ? fault : null));
            ResponseDefinitionBuilder answer = render(response);
            if (fault != null && fault.kind() == AzureFault.Kind.SLOW) {
                answer.withFixedDelay(Math.toIntExact(fault.duration().toMillis()));
            } else if (fault != null && fault.kind() == AzureFault.Kind.RESET_AFTER_ACCEPTING) {
                answer.withFault(Fault.CONNECTION_RESET_BY_PEER);
            }
            return answer.build();
        }
    }

    private AzureFault nextFault(AzureOperation operation) {
        Deque<PendingFault> pending = faults.get(operation);
        if (pending == null || pending.isEmpty()) {
            return null;
        }
        PendingFault next = pending.peek();
        if (--next.remaining == 0) {
            pending.remove();
        }
        return next.fault;
    }

    private static ArmRequest armRequest(AzureOperation operation, LoggedRequest request, AzureFault failure) {
        Map<String, String> path = new HashMap<>(request.getPathParameters());
        Map<String, String> query = new HashMap<>();
        for (QueryParameter parameter : request.getQueryParams().values()) {
            query.put(parameter.key(), parameter.firstValue());
        }
        URI url = URI.create(request.getAbsoluteUrl());
        String baseUrl = url.getScheme() + "://" + url.getRawAuthority();
        return new ArmRequest(
                operation, Map.copyOf(path), Map.copyOf(query), request.getBodyAsString(), baseUrl, failure);
    }

    private ArmResponse handle(ArmRequest request) {
        if (!resources.subscriptionId().equals(request.path("subscriptionId"))) {
            return ArmResponse.error(
                    404,
                    "SubscriptionNotFound",
                    "The subscription '" + request.path("subscriptionId") + "' could not be found.");
        }
        try {
            return switch (request.operation()) {
                case WEB_APP_GET,
                        WEB_APP_CONFIG_GET,
                        WEB_APP_CONFIG_UPDATE,
                        WEB_APP_LOGS_CONFIG_GET,
                        WEB_APP_START,
                        WEB_APP_STOP,
                        WEB_APP_SWAP,
                        SLOT_GET,
                        SLOT_CONFIG_GET,
                        SLOT_LOGS_CONFIG_GET,
                        SLOT_START,
                        SLOT_STOP,
                        SLOT_SWAP -> webApps.handle(request);
                case REDIS_GET, REDIS_FORCE_REBOOT -> redis.handle(request);
                case STORAGE_ACCOUNT_GET, STORAGE_ACCOUNT_FAILOVER -> storage.handle(request);
                case FLEXIBLE_SERVER_GET, FLEXIBLE_SERVER_CREATE, FLEXIBLE_SERVER_RESTART ->
                    flexibleServers.handle(request);
                case CDN_ENDPOINT_GET, CDN_ENDPOINT_PURGE, AFD_ENDPOINT_GET, AFD_ENDPOINT_PURGE -> cdn.handle(request);
                case OPERATION_STATUS -> operations.status(request);
                case OPERATION_RESULT -> operations.result(request);
            };
        } catch (JsonProcessingException e) {
            return ArmResponse.error(
                    400,
                    "InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: " + e.getOriginalMessage());
        }
    }

    private static ArmResponse rejection(AzureFault fault) {
        ArmResponse error = ArmResponse.error(fault.statusCode(), fault.code(), fault.message());
        if (fault.duration() == null) {
            return error;
        }
        // The date is on the system clock, not the simulator's: the client compares it with its own.
        String header = switch (fault.retryAfterForm()) {
            case SECONDS, HTTP_DATE -> "Retry-After";
            case RETRY_AFTER_MS -> "retry-after-ms";
            case X_MS_RETRY_AFTER_MS -> "x-ms-retry-after-ms";
        };
        String retryAfter = switch (fault.retryAfterForm()) {
            case SECONDS -> Long.toString(fault.duration().getSeconds());
            case HTTP_DATE -> HTTP_DATE.format(Instant.now().plus(fault.duration()));
            case RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS ->
                Long.toString(fault.duration().toMillis());
        };
        return new ArmResponse(error.status(), Map.of(header, retryAfter), error.body());
    }

    private static ResponseDefinitionBuilder render(ArmResponse response) {
        ResponseDefinitionBuilder builder =
                ResponseDefinitionBuilder.responseDefinition().withStatus(response.status());
        response.headers().forEach(builder::withHeader);
        if (response.body() != null) {
            builder.withHeader("Content-Type", "application/json; charset=utf-8")
                    .withBody(response.body().toString());
        }
        return builder;
    }

    /** A fault and how many more requests it applies to. */
    private static final class PendingFault {
        private final AzureFault fault;
        private int remaining;

        PendingFault(AzureFault fault) {
            this.fault = fault;
            this.remaining = fault.count();
        }
    }
}
