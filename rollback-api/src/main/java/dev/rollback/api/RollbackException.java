package dev.rollback.api;

import java.util.Objects;

/**
 * The one unchecked root of every error Rollback raises. Each carries a stable
 * {@link ErrorCode}; messages name the plan, the step and the state, and never a secret. Its cause
 * chain holds no raw SDK or driver exception: those are replaced by a {@link RedactedCause}.
 */
public class RollbackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** Creates an exception with a code and a message. */
    public RollbackException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * Creates an exception with a code, a message and a cause. A cause from outside Rollback and the
     * JDK (an SDK's or a driver's exception, whose message may hold a secret or a response body), or
     * any cause whose chain holds a secret, is replaced by its {@link Redaction#redactedCause
     * redacted stand-in}.
     */
    public RollbackException(ErrorCode code, String message, Throwable cause) {
        super(message, Redaction.redactedCause(cause));
        this.code = Objects.requireNonNull(code, "code");
    }

    /** Sets the cause, replaced by its redacted stand-in like the constructor's. */
    @Override
    public synchronized Throwable initCause(Throwable cause) {
        return super.initCause(Redaction.redactedCause(cause));
    }

    /** The stable code of this error, for callers that branch on it and for logs. */
    public ErrorCode code() {
        return code;
    }
}
