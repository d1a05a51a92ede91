package dev.rollback.integrations.spi;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;

/**
 * Thrown by {@link ConfigStore#replace} when the configuration is no longer at the version the
 * caller read: someone else wrote it in between. Nothing was written. Its code is
 * {@link ErrorCode#STEP_FAILED}: a switch never overwrites a change it did not see.
 */
public class ConfigConflictException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** A conflict, described by {@code message} (names and versions, never content). */
    public ConfigConflictException(String message) {
        super(ErrorCode.STEP_FAILED, message);
    }
}
