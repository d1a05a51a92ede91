package dev.rollback.kubernetes.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Maps what the fabric8 client throws to Rollback's errors, once for the whole provider: a 409 is a
 * {@link Conflict} (the caller re-reads and decides), 429 and 500/502/503/504 (after the client's own
 * retries) and a broken connection are {@link TransientFailureException}s (with the server's
 * {@code retryAfterSeconds} when it gave one), 401/403 a {@link ErrorCode#CREDENTIAL_PROBLEM} that says
 * "credential problem" and nothing of the answer, an interruption a {@link StepInterruptedException},
 * the rest {@link ErrorCode#EXTERNAL_FAILURE} naming the status and the server's reason. Every
 * message is redacted and names what was being done; none carries a token or a client key (the
 * client never puts them in its messages, and the kubeconfig's content never reaches one).
 */
public final class KubeFailures {
    private KubeFailures() {}

    /** A 409 from the API server: the object changed since it was read, or a field manager conflict. */
    public static final class Conflict extends TransientFailureException {
        private static final long serialVersionUID = 1L;

        Conflict(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The Rollback error for {@code failure}, raised while doing {@code what}. */
    public static RollbackException map(String what, RuntimeException failure) {
        if (failure instanceof RollbackException r) {
            return r;
        }
        if (interrupted(failure)) {
            Thread.currentThread().interrupt();
            return new StepInterruptedException(what + " was interrupted");
        }
        if (failure instanceof KubernetesClientException k && k.getCode() > 0) {
            int code = k.getCode();
            if (code == 401 || code == 403) {
                return new RollbackException(
                        ErrorCode.CREDENTIAL_PROBLEM,
                        what + " failed: credential problem (HTTP " + code
                                + (code == 401
                                        ? ", the API server refused the credential"
                                        : ", the identity lacks permission")
                                + ")");
            }
            String message = what + " failed: HTTP " + code + reason(k) + ": " + statusMessage(k);
            if (code == 409) {
                return new Conflict(message, k);
            }
            if (code == 429 || code == 500 || code == 502 || code == 503 || code == 504) {
                Optional<Duration> retryAfter = retryAfter(k);
                return retryAfter.isPresent()
                        ? new TransientFailureException(message, retryAfter.get(), k)
                        : new TransientFailureException(message, k);
            }
            return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, k);
        }
        if (find(failure, IOException.class).isPresent()
                || find(failure, TimeoutException.class).isPresent()) {
            return new TransientFailureException(
                    what + " failed on the connection: " + Redaction.describe(rootCause(failure)), failure);
        }
        return new RollbackException(
                ErrorCode.EXTERNAL_FAILURE, what + " failed: " + Redaction.describe(failure), failure);
    }

    /** Whether {@code failure} (as mapped) is a 409. */
    public static boolean isConflict(Throwable failure) {
        return failure instanceof Conflict;
    }

    private static String reason(KubernetesClientException k) {
        Status status = k.getStatus();
        return status == null
                        || status.getReason() == null
                        || status.getReason().isBlank()
                ? ""
                : " " + status.getReason();
    }

    private static String statusMessage(KubernetesClientException k) {
        Status status = k.getStatus();
        String message = status != null && status.getMessage() != null ? status.getMessage() : "no message";
        String line = message.lines().findFirst().orElse("");
        if (message.lines().count() > 1) {
            line = String.join("; ", message.lines().toList());
        }
        return Redaction.redact(line.length() > 400 ? line.substring(0, 400) + "..." : line);
    }

    private static Optional<Duration> retryAfter(KubernetesClientException k) {
        Status status = k.getStatus();
        if (status == null || status.getDetails() == null || status.getDetails().getRetryAfterSeconds() == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds(Math.max(0, status.getDetails().getRetryAfterSeconds())));
    }

    private static boolean interrupted(Throwable t) {
        return find(t, InterruptedException.class).isPresent()
                || find(t, InterruptedIOException.class)
                        .filter(e -> !(e instanceof SocketTimeoutException))
                        .isPresent();
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        for (int i = 0; i < 10 && c.getCause() != null && c.getCause() != c; i++) {
            c = c.getCause();
        }
        return c;
    }

    private static <T extends Throwable> Optional<T> find(Throwable t, Class<T> type) {
        Throwable c = t;
        for (int i = 0; c != null && i < 10; i++) {
            if (type.isInstance(c)) {
                return Optional.of(type.cast(c));
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return Optional.empty();
    }
}
