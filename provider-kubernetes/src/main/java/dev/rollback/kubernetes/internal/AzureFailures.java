package dev.rollback.kubernetes.internal;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Maps what azure-core throws for the CDN purge to Rollback's errors: 429 and 500/502/503/504 (after the
 * SDK's own retries) and a broken connection are {@link TransientFailureException}s (with
 * {@code Retry-After}, {@code retry-after-ms} or {@code x-ms-retry-after-ms} when Azure sent one);
 * 401/403 and a token that could not be obtained a {@link ErrorCode#CREDENTIAL_PROBLEM} that says
 * "credential problem" and nothing of the answer; the rest {@link ErrorCode#EXTERNAL_FAILURE} naming the
 * status and the ARM error code. Every message is redacted.
 */
public final class AzureFailures {
    private AzureFailures() {}

    /** The Rollback error for {@code failure}, raised while doing {@code what}. */
    public static RollbackException map(String what, RuntimeException failure) {
        if (failure instanceof RollbackException r) {
            return r;
        }
        if (find(failure, InterruptedException.class).isPresent()) {
            Thread.currentThread().interrupt();
            return new StepInterruptedException(what + " was interrupted");
        }
        Optional<HttpResponseException> http = find(failure, HttpResponseException.class);
        int status = http.map(h -> h.getResponse() == null ? 0 : h.getResponse().getStatusCode())
                .orElse(0);
        if (status == 401
                || status == 403
                || (status == 0
                        && find(failure, ClientAuthenticationException.class).isPresent())) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem"
                            + (status == 0 ? " (no access token)" : " (HTTP " + status + ")"));
        }
        if (status > 0) {
            String code = http.get() instanceof ManagementException m && m.getValue() != null
                    ? Objects.toString(m.getValue().getCode(), "")
                    : "";
            String message = what + " failed: HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": "
                    + firstLine(http.get().getMessage());
            if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
                Optional<Duration> retryAfter = retryAfter(http.get().getResponse());
                return retryAfter.isPresent()
                        ? new TransientFailureException(message, retryAfter.get(), http.get())
                        : new TransientFailureException(message, http.get());
            }
            return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, http.get());
        }
        if (find(failure, IOException.class).isPresent()
                || find(failure, TimeoutException.class).isPresent()
                || mentionsConnection(failure)) {
            return new TransientFailureException(
                    what + " failed on the connection: " + Redaction.describe(failure), failure);
        }
        return new RollbackException(
                ErrorCode.EXTERNAL_FAILURE, what + " failed: " + Redaction.describe(failure), failure);
    }

    private static Optional<Duration> retryAfter(HttpResponse response) {
        if (response == null) {
            return Optional.empty();
        }
        for (String header : List.of("retry-after-ms", "x-ms-retry-after-ms")) {
            String ms = response.getHeaders().getValue(HttpHeaderName.fromString(header));
            if (ms != null) {
                try {
                    return Optional.of(Duration.ofMillis(Math.max(0, Long.parseLong(ms.trim()))));
                } catch (NumberFormatException ignored) {
                    // fall through to Retry-After
                }
            }
        }
        String seconds = response.getHeaderValue(HttpHeaderName.RETRY_AFTER);
        if (seconds == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(seconds.trim()))));
        } catch (NumberFormatException notSeconds) {
            return Optional.empty();
        }
    }

    private static boolean mentionsConnection(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String name = c.getClass().getName();
            if (name.contains("PrematureClose") || name.contains("ConnectException") || name.contains("Channel")) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("");
        return Redaction.redact(line.length() > 300 ? line.substring(0, 300) + "..." : line);
    }

    private static <T extends Throwable> Optional<T> find(Throwable t, Class<T> type) {
        Throwable c = t;
        for (int i = 0; c != null && i < 10; i++) {
            if (type.isInstance(c)) {
                return Optional.of(type.cast(c));
            }
            for (Throwable s : c.getSuppressed()) {
                if (type.isInstance(s)) {
                    return Optional.of(type.cast(s));
                }
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return Optional.empty();
    }
}
