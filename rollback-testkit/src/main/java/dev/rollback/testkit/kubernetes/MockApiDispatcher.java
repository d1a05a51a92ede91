package dev.rollback.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD dispatcher with what the kit adds: one request at a time (so a server-side apply's
 * read and write are atomic), injected faults, a journal of the requests of clients under test,
 * namespaces that must exist before something is created in them, and server-side apply
 * ({@code PATCH} with {@code application/apply-patch+yaml}, which the CRUD dispatcher answers 415).
 */
final class MockApiDispatcher extends KubernetesCrudDispatcher {

    /** The header the kit's own clients send; their requests meet no fault and are not journaled. */
    static final String INTERNAL_HEADER = "X-Rollback-Testkit";

    static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern NAMESPACED =
            Pattern.compile("^/(?:api/v1|apis/[^/]+/[^/]+)/namespaces/([^/?]+)/([^/?]+)(?:/([^/?]+))?(?:/.*)?$");

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<PendingFault> faults = new ArrayDeque<>();
    private final List<RecordedKubernetesRequest> journal = new ArrayList<>();
    private final ServerSideApply apply = new ServerSideApply(this);
    private final AtomicInteger concurrentWrites = new AtomicInteger();
    private volatile Runnable resetConnections = () -> {};

    MockApiDispatcher(List<CustomResourceDefinitionContext> customResources) {
        super(customResources);
    }

    void onReset(Runnable resetConnections) {
        this.resetConnections = resetConnections;
    }

    void inject(KubernetesFault fault) {
        lock.lock();
        try {
            faults.add(new PendingFault(fault));
        } finally {
            lock.unlock();
        }
    }

    void clearFaults() {
        lock.lock();
        try {
            faults.clear();
        } finally {
            lock.unlock();
        }
    }

    List<RecordedKubernetesRequest> journal() {
        lock.lock();
        try {
            return List.copyOf(journal);
        } finally {
            lock.unlock();
        }
    }

    void clearJournal() {
        lock.lock();
        try {
            journal.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        String fullPath = request.getPath();
        int q = fullPath.indexOf('?');
        String path = q < 0 ? fullPath : fullPath.substring(0, q);
        String query = q < 0 ? "" : fullPath.substring(q + 1);
        String contentType =
                Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
        String body = request.getBody() == null ? "" : request.getBody().readUtf8();
        boolean internal = request.getHeader(INTERNAL_HEADER) != null;
        lock.lock();
        try {
            KubernetesFault fault = internal ? null : nextFault(method, path);
            MockResponse response;
            if (fault != null && fault.kind() == KubernetesFault.Kind.STATUS) {
                response = status(fault.status(), reason(fault.status()), "injected fault: HTTP " + fault.status());
            } else if (fault != null && fault.kind() == KubernetesFault.Kind.RESET_BEFORE_HANDLING) {
                resetConnections.run();
                response = status(503, "ServiceUnavailable", "connection reset");
            } else {
                if (fault != null && fault.kind() == KubernetesFault.Kind.CONCURRENT_WRITE) {
                    writeConcurrently(path);
                }
                response = handle(method, path, fullPath, query, contentType, body);
                if (fault != null && fault.kind() == KubernetesFault.Kind.RESET_AFTER_HANDLING) {
                    resetConnections.run();
                }
            }
            if (!internal) {
                boolean reset = fault != null
                        && (fault.kind() == KubernetesFault.Kind.RESET_BEFORE_HANDLING
                                || fault.kind() == KubernetesFault.Kind.RESET_AFTER_HANDLING);
                journal.add(new RecordedKubernetesRequest(
                        method,
                        path,
                        query,
                        contentType,
                        body,
                        reset ? 0 : response.code(),
                        Optional.ofNullable(fault).map(KubernetesFault::kind)));
            }
            return response;
        } finally {
            lock.unlock();
        }
    }

    private MockResponse handle(
            String method, String path, String fullPath, String query, String contentType, String body) {
        if (method.equals("PATCH") && contentType.startsWith(ServerSideApply.CONTENT_TYPE)) {
            return apply.apply(path, query, body);
        }
        if (method.equals("POST")) {
            Optional<MockResponse> missing = missingNamespace(path);
            if (missing.isPresent()) {
                return missing.get();
            }
        }
        return super.dispatch(request(method, fullPath, contentType, body));
    }

    /** A 404 like the API server's when a namespaced object is created in a namespace that does not exist. */
    Optional<MockResponse> missingNamespace(String path) {
        Matcher m = NAMESPACED.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String namespace = m.group(1);
        if (get("/api/v1/namespaces/" + namespace).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(status(404, "NotFound", "namespaces \"" + namespace + "\" not found"));
    }

    /** The object at {@code path}, read from the store. */
    Optional<ObjectNode> get(String path) {
        MockResponse response = super.handleGet(path);
        if (response.code() != 200 || response.getBody() == null) {
            return Optional.empty();
        }
        return Optional.of((ObjectNode) read(response.getBody().readUtf8()));
    }

    MockResponse create(String collectionPath, JsonNode object) {
        return super.handleCreate(request("POST", collectionPath, "application/json", write(object)));
    }

    MockResponse update(String path, JsonNode object) {
        return super.handleUpdate(request("PUT", path, "application/json", write(object)));
    }

    private void writeConcurrently(String path) {
        get(path).ifPresent(object -> {
            ObjectNode metadata = object.withObjectProperty("metadata");
            metadata.withObjectProperty("annotations")
                    .put("testkit.rollback.dev/concurrent-write", Integer.toString(concurrentWrites.incrementAndGet()));
            update(path, object);
        });
    }

    private KubernetesFault nextFault(String method, String path) {
        for (Iterator<PendingFault> it = faults.iterator(); it.hasNext(); ) {
            PendingFault pending = it.next();
            if (pending.fault.matches(method, path)) {
                if (--pending.remaining == 0) {
                    it.remove();
                }
                return pending.fault;
            }
        }
        return null;
    }

    static RecordedRequest request(String method, String path, String contentType, String body) {
        Headers.Builder headers = Headers.builder();
        if (!contentType.isEmpty()) {
            headers.add("Content-Type", contentType);
        }
        return new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.valueOf(method),
                path,
                headers.build(),
                new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** A Kubernetes {@code Status} answer. */
    static MockResponse status(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode()
                .put("apiVersion", "v1")
                .put("kind", "Status")
                .put("status", "Failure")
                .put("message", message)
                .put("reason", reason)
                .put("code", code);
        status.putObject("metadata");
        return status(code, status);
    }

    /** An object answered as JSON. */
    static MockResponse object(int code, JsonNode object) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(write(object));
    }

    static MockResponse status(int code, ObjectNode status) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(write(status));
    }

    private static String reason(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 504 -> "Timeout";
            case 503 -> "ServiceUnavailable";
            default -> code >= 500 ? "InternalError" : "BadRequest";
        };
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fault and how many more requests it applies to. */
    private static final class PendingFault {
        private final KubernetesFault fault;
        private int remaining;

        PendingFault(KubernetesFault fault) {
            this.fault = fault;
            this.remaining = fault.count();
        }
    }
}
