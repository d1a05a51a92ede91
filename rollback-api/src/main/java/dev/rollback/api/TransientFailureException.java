package dev.rollback.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Thrown by a step for a failure that may pass if tried again: a 429, a 503, a reset connection.
 * The executor retries it within the step's deadline; when the failure carries a
 * {@link #retryAfter() Retry-After}, the next attempt waits exactly that long, if it fits.
 */
public class TransientFailureException extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;

    /** A transient failure with no hint of when to retry. */
    public TransientFailureException(String message, Throwable cause) {
        super(ErrorCode.EXTERNAL_FAILURE, message, cause);
        this.retryAfter = null;
    }

    /** A transient failure whose source said when to retry (a Retry-After header). */
    public TransientFailureException(String message, Duration retryAfter, Throwable cause) {
        super(ErrorCode.EXTERNAL_FAILURE, message, cause);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, but was " + retryAfter);
        }
    }

    /** How long the source asked to wait before the next attempt, if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
