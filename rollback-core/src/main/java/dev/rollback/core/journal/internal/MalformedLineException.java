package dev.rollback.core.journal.internal;

/**
 * A journal line that cannot be trusted on its own: bad checksum, bad JSON, a missing field, or
 * content that does not match its hash. The message names what is wrong, never the content.
 */
public final class MalformedLineException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong
     */
    public MalformedLineException(String message) {
        super(message, null, false, false);
    }
}
