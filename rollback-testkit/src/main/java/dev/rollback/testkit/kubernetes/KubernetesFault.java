package dev.rollback.testkit.kubernetes;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A fault the {@link KubernetesMockApiServer} injects into the next requests of one method and
 * path (the request path without its query, such as
 * {@code /apis/apps/v1/namespaces/prod/deployments/web}): a status answered instead of the
 * request, a write by another client just before it (so an update with the resourceVersion read
 * before gets the API server's real 409 Conflict), a connection reset before or after the request
 * took effect.
 *
 * <pre>{@code
 * server.inject(KubernetesFault.status(500).on("PUT", "/apis/apps/v1/namespaces/prod/deployments/web").times(2));
 * server.inject(KubernetesFault.concurrentWrite().on("PUT", path));        // a real 409 from the store
 * server.inject(KubernetesFault.resetAfterHandling().on("PATCH", path));   // done, answer lost
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #on} and {@link #times} return copies. Requests of the kit's
 * own clients (its seeding client and the {@link DeploymentController}) never meet a fault.
 */
public final class KubernetesFault {

    /** What the fault does. */
    public enum Kind {
        /** Answers the status (with a Kubernetes {@code Status} body) without handling the request. */
        STATUS,
        /**
         * Another client changes the object (an annotation) just before the request is handled, so an
         * update carrying the resourceVersion read before is refused by the store with 409 Conflict.
         */
        CONCURRENT_WRITE,
        /** Resets the connection before handling the request: nothing happened. */
        RESET_BEFORE_HANDLING,
        /** Handles the request, then resets the connection: it happened, the answer is lost. */
        RESET_AFTER_HANDLING
    }

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final Kind kind;
    private final int status;
    private final String method;
    private final String path;
    private final int times;

    private KubernetesFault(Kind kind, int status, String method, String path, int times) {
        this.kind = kind;
        this.status = status;
        this.method = method;
        this.path = path;
        this.times = times;
    }

    /**
     * Answers {@code status} with a {@code Status} body (reason from the code: 409 {@code Conflict},
     * 500 {@code InternalError}, ...) and does not handle the request.
     *
     * @param status 400 to 599
     * @return the fault, for any request until {@link #on} narrows it
     */
    public static KubernetesFault status(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be between 400 and 599, but was " + status);
        }
        return new KubernetesFault(Kind.STATUS, status, null, null, 1);
    }

    /**
     * Another client writes the object first (an annotation {@code testkit.rollback.dev/concurrent-write}),
     * so an update with a stale resourceVersion gets the store's own 409 Conflict.
     *
     * @return the fault
     */
    public static KubernetesFault concurrentWrite() {
        return new KubernetesFault(Kind.CONCURRENT_WRITE, 0, null, null, 1);
    }

    /**
     * Resets the connection before the request is handled.
     *
     * @return the fault
     */
    public static KubernetesFault connectionReset() {
        return new KubernetesFault(Kind.RESET_BEFORE_HANDLING, 0, null, null, 1);
    }

    /**
     * Handles the request, then resets the connection: the change is made, the client never hears.
     *
     * @return the fault
     */
    public static KubernetesFault resetAfterHandling() {
        return new KubernetesFault(Kind.RESET_AFTER_HANDLING, 0, null, null, 1);
    }

    /**
     * This fault for requests of one method and path only.
     *
     * @param method GET, POST, PUT, PATCH or DELETE
     * @param path the request path without query, starting with {@code /}
     * @return a copy
     */
    public KubernetesFault on(String method, String path) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        String m = method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw new IllegalArgumentException("method must be one of " + METHODS + ", but was '" + method + "'");
        }
        if (!path.startsWith("/") || path.contains("?")) {
            throw new IllegalArgumentException("path must start with '/' and have no query, but was '" + path + "'");
        }
        return new KubernetesFault(kind, status, m, path, times);
    }

    /**
     * How many matching requests meet this fault.
     *
     * @param times 1 or more; 1 by default
     * @return a copy
     */
    public KubernetesFault times(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be 1 or more, but was " + times);
        }
        return new KubernetesFault(kind, status, method, path, times);
    }

    /** What the fault does. */
    public Kind kind() {
        return kind;
    }

    /** The status answered, for {@link Kind#STATUS}; 0 otherwise. */
    public int status() {
        return status;
    }

    /** How many requests meet it. */
    public int count() {
        return times;
    }

    boolean matches(String requestMethod, String requestPath) {
        return (method == null || method.equals(requestMethod)) && (path == null || path.equals(requestPath));
    }

    @Override
    public String toString() {
        return "KubernetesFault[" + kind + (kind == Kind.STATUS ? " " + status : "") + " on "
                + (method == null ? "any" : method) + " " + (path == null ? "any path" : path) + " x" + times + "]";
    }
}
