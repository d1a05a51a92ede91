package dev.rollback.api;

import java.util.Objects;

/**
 * The one unchecked root of every error Rollback raises. Each carries a stable
 * {@link ErrorCode}; messages name the plan, the step and the state, and never a secret.
 */
public class RollbackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** Creates an exception with a code and a message. */
    public RollbackException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** Creates an exception with a code, a message and a cause. */
    public RollbackException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The stable code of this error, for callers that branch on it and for logs. */
    public ErrorCode code() {
        return code;
    }
}
