package dev.rollback.api;

import java.util.Objects;

/**
 * Stands in, in the cause chain of a {@link RollbackException}, for an exception from an SDK, a
 * driver or any other code outside Rollback whose message may hold a secret or a response body:
 * the message is the original's class name and its {@linkplain Redaction#redact redacted} message
 * on one line, the stack trace is the original's, and its own causes and suppressed exceptions are
 * stood in for the same way. A {@link java.sql.SQLException} is stood in for by an
 * {@code SQLException} that keeps its SQLState and vendor code, so callers can still branch on
 * them. {@link #originalType()} names the class that was replaced.
 *
 * <p>Immutable once built; never holds the original exception.
 */
public final class RedactedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String originalType;

    RedactedCause(String originalType, String message) {
        super(message);
        this.originalType = Objects.requireNonNull(originalType, "originalType");
    }

    /** The fully qualified class name of the exception this one stands in for. */
    public String originalType() {
        return originalType;
    }
}
