package dev.rollback.core.internal;

/** The journal refused a write-ahead record: the effect it announces must not happen. */
final class JournalWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JournalWriteException(RuntimeException cause) {
        super(cause);
    }
}
