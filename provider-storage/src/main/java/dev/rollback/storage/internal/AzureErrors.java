package dev.rollback.storage.internal;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import com.azure.storage.blob.models.BlobStorageException;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Maps what the Azure SDK throws (Resource Manager and Blob storage) to Rollback's errors, once for
 * the whole provider. A 408, 429, 500, 502, 503 or 504 (after the SDK's own retries) and a broken
 * connection become a {@link TransientFailureException}, with the answer's Retry-After
 * ({@code retry-after-ms}, {@code x-ms-retry-after-ms}, seconds or HTTP-date) when it has one;
 * 401/403 (and a token that could not be obtained) a {@link ErrorCode#CREDENTIAL_PROBLEM} that says
 * "credential problem" and nothing of the answer; every other status a non-transient
 * {@link ErrorCode#EXTERNAL_FAILURE} naming the status and the service's error code. Every message
 * is redacted (a SAS in a URL, an account key in a connection string).
 */
public final class AzureErrors {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private AzureErrors() {}

    /** The Rollback error for {@code failure}, raised while doing {@code what}. */
    public static RollbackException map(String what, RuntimeException failure) {
        if (failure instanceof RollbackException re) {
            return re;
        }
        if (find(failure, InterruptedException.class).isPresent()) {
            Thread.currentThread().interrupt();
            return new StepInterruptedException(what + " was interrupted");
        }
        int status = status(failure);
        if (status == 0 && find(failure, ClientAuthenticationException.class).isPresent()) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem (no access token could be obtained)");
        }
        if (status == 401 || status == 403) {
            // Never the body nor the SDK's message: an auth failure may echo a token, a signature or a claim.
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem (HTTP " + status
                            + (status == 401 ? ", the credential was refused" : ", the identity lacks permission")
                            + ")");
        }
        if (status > 0) {
            String code = errorCode(failure).orElse("");
            String message = what + " failed: HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": "
                    + firstLine(Redaction.describe(failure));
            if (transientStatus(status)) {
                Optional<Duration> retryAfter = retryAfter(failure, Instant.now());
                return retryAfter.isPresent()
                        ? new TransientFailureException(
                                message + " (Retry-After " + retryAfter.get() + ")", retryAfter.get(), failure)
                        : new TransientFailureException(message, failure);
            }
            return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, failure);
        }
        if (answerLost(failure)) {
            return new TransientFailureException(
                    what + " failed on the connection: " + firstLine(Redaction.describe(failure)), failure);
        }
        return new RollbackException(
                ErrorCode.EXTERNAL_FAILURE, what + " failed: " + firstLine(Redaction.describe(failure)), failure);
    }

    /** Whether an HTTP status is worth another try: 408, 429, 500, 502, 503, 504. */
    public static boolean transientStatus(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** The HTTP status of the answer the failure carries; 0 when there was no answer. */
    public static int status(Throwable failure) {
        return find(failure, HttpResponseException.class)
                .map(HttpResponseException::getResponse)
                .map(HttpResponse::getStatusCode)
                .orElse(0);
    }

    /** The service's error code: ARM's {@code error.code}, Blob storage's {@code x-ms-error-code}. */
    public static Optional<String> errorCode(Throwable failure) {
        Optional<ManagementException> arm = find(failure, ManagementException.class);
        if (arm.isPresent() && arm.get().getValue() != null) {
            return Optional.ofNullable(arm.get().getValue().getCode()).filter(c -> !c.isBlank());
        }
        Optional<BlobStorageException> blob = find(failure, BlobStorageException.class);
        if (blob.isPresent() && blob.get().getErrorCode() != null) {
            return Optional.of(blob.get().getErrorCode().toString());
        }
        return find(failure, HttpResponseException.class)
                .map(HttpResponseException::getResponse)
                .map(r -> r.getHeaderValue(HttpHeaderName.fromString("x-ms-error-code")));
    }

    /**
     * Whether the failure is a lost answer: no HTTP response at all (a reset, a refused or closed
     * connection, an I/O error, a timeout). A request that failed this way may or may not have
     * reached the service.
     */
    public static boolean answerLost(Throwable failure) {
        if (status(failure) > 0) {
            return false;
        }
        if (find(failure, IOException.class).isPresent()
                || find(failure, UncheckedIOException.class).isPresent()
                || find(failure, TimeoutException.class).isPresent()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getName();
            if (name.contains("PrematureClose")
                    || name.contains("ConnectException")
                    || name.contains("Channel")
                    || name.contains("Timeout")
                    || name.contains("AbortedException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the failure shows the request never left: the connection was refused or the host
     * unknown, so the service cannot have acted on it.
     */
    public static boolean neverSent(Throwable failure) {
        return find(failure, ConnectException.class).isPresent()
                || find(failure, UnknownHostException.class).isPresent();
    }

    /** The Retry-After of the answer the failure carries, if any, relative to {@code now}. */
    public static Optional<Duration> retryAfter(Throwable failure, Instant now) {
        Optional<HttpResponse> response =
                find(failure, HttpResponseException.class).map(HttpResponseException::getResponse);
        if (response.isEmpty()) {
            return Optional.empty();
        }
        for (String header : List.of("retry-after-ms", "x-ms-retry-after-ms")) {
            String ms = response.get().getHeaderValue(HttpHeaderName.fromString(header));
            if (ms != null) {
                try {
                    return Optional.of(Duration.ofMillis(Math.max(0, Long.parseLong(ms.trim()))));
                } catch (NumberFormatException ignored) {
                    // fall through to Retry-After
                }
            }
        }
        return parseRetryAfter(response.get().getHeaderValue(HttpHeaderName.RETRY_AFTER), now);
    }

    /** A Retry-After value: delta-seconds or an HTTP-date relative to {@code now}; never negative. */
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
                Duration wait =
                        Duration.between(now, ZonedDateTime.parse(v, HTTP_DATE).toInstant());
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** The first {@code type} in the cause chain (and its suppressed exceptions) of {@code failure}. */
    public static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
        Objects.requireNonNull(type, "type");
        Throwable c = failure;
        for (int i = 0; c != null && i < 12; i++) {
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
        String line = message.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
