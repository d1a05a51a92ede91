package dev.rollback.azure;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;

/**
 * An error answer from Azure, mapped: it keeps the HTTP status and the ARM error code, because its
 * cause is the SDK exception {@linkplain dev.rollback.api.RedactedCause stood in for} (the original,
 * whose body may hold a secret, is not kept), so a step that branches on {@code 404} or {@code 409
 * ServerAlreadyExists} reads them here through {@link AzureFailures#status} and
 * {@link AzureFailures#armCode}. Immutable.
 */
final class AzureErrorAnswer extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String armCode;

    AzureErrorAnswer(String message, int status, String armCode, Throwable cause) {
        super(ErrorCode.EXTERNAL_FAILURE, message, cause);
        this.status = status;
        this.armCode = armCode;
    }

    int status() {
        return status;
    }

    String armCode() {
        return armCode;
    }
}
