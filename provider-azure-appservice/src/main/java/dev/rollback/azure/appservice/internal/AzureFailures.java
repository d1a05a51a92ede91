package dev.rollback.azure.appservice.internal;

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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Maps what azure-core throws to Rollback's errors. A 429 or a 500/502/503/504 (after the SDK's own
 * retries) and a reset or refused connection become a {@link TransientFailureException}, with the
 * response's {@code Retry-After} (seconds or HTTP-date) when it has one; 401/403 (and a token that
 * could not be obtained) a {@link ErrorCode#CREDENTIAL_PROBLEM} that says "credential problem" and
 * nothing of the response body; every other status a non-transient {@link ErrorCode#EXTERNAL_FAILURE}
 * naming the status and the ARM error code. Every message is redacted.
 */
public final class AzureFailures {
    private AzureFailures() {}

    /** The Rollback error for {@code failure}, raised while doing {@code what}. */
    public static RollbackException map(String what, RuntimeException failure) {
        return map(what, failure, Clock.systemUTC());
    }

    static RollbackException map(String what, RuntimeException failure, Clock clock) {
        if (failure instanceof RollbackException re) {
            return re;
        }
        if (interrupted(failure)) {
            Thread.currentThread().interrupt();
            return new StepInterruptedException(what + " was interrupted");
        }
        if (find(failure, ClientAuthenticationException.class).isPresent()
                && find(failure, HttpResponseException.class)
                                .map(AzureFailures::status)
                                .orElse(0)
                        == 0) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem (no access" + " token could be obtained)");
        }
        Optional<HttpResponseException> http = find(failure, HttpResponseException.class);
        if (http.isPresent() && status(http.get()) > 0) {
            HttpResponseException e = http.get();
            int status = status(e);
            if (status == 401 || status == 403) {
                // Never the body nor the SDK's message: an auth failure may echo a token or a claim.
                return new RollbackException(
                        ErrorCode.CREDENTIAL_PROBLEM,
                        what + " failed: credential problem (HTTP "
                                + status
                                + (status == 401
                                        ? ", the access token was refused"
                                        : ", the identity lacks" + " permission")
                                + ")");
            }
            String armCode = armCode(e);
            String message = what + " failed: HTTP " + status + (armCode.isEmpty() ? "" : " " + armCode) + ": "
                    + Redaction.redact(firstLine(e.getMessage()));
            if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
                Optional<Duration> retryAfter = retryAfter(e.getResponse(), clock);
                return retryAfter.isPresent()
                        ? new TransientFailureException(
                                message + " (Retry-After " + retryAfter.get() + ")", retryAfter.get(), e)
                        : new TransientFailureException(message, e);
            }
            return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, e);
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

    /** The status of the response, 0 if there is none. */
    static int status(HttpResponseException e) {
        HttpResponse response = e.getResponse();
        return response == null ? 0 : response.getStatusCode();
    }

    private static String armCode(HttpResponseException e) {
        if (e instanceof ManagementException me && me.getValue() != null) {
            return Objects.toString(me.getValue().getCode(), "");
        }
        return "";
    }

    /** The Retry-After of a response: delta-seconds or an HTTP-date (RFC 1123), never negative. */
    public static Optional<Duration> retryAfter(HttpResponse response, Clock clock) {
        if (response == null) {
            return Optional.empty();
        }
        return parseRetryAfter(response.getHeaderValue(HttpHeaderName.RETRY_AFTER), clock.instant());
    }

    /** Parses a Retry-After value: delta-seconds or an HTTP-date, relative to {@code now}. */
    public static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static boolean interrupted(Throwable t) {
        return find(t, InterruptedException.class).isPresent();
    }

    private static boolean mentionsConnection(Throwable t) {
        Throwable c = t;
        for (int i = 0; c != null && i < 10; i++, c = c.getCause() == c ? null : c.getCause()) {
            String name = c.getClass().getName();
            if (name.contains("PrematureClose") || name.contains("ConnectException") || name.contains("Channel")) {
                return true;
            }
        }
        return false;
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

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
