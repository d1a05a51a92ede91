package dev.rollback.config;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;

/**
 * A configuration file holds a bad value, an unknown key, or misses a required one. The message
 * names the file, the key (its path, like {@code matrix.rules[2].above}) and the value, and says
 * what was expected; {@link #key()} and {@link #value()} give them apart. Code
 * {@link ErrorCode#INVALID_CONFIGURATION}. It never carries a secret: configuration holds none.
 */
public final class ConfigurationException extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;

    /**
     * A bad value.
     *
     * @param key the key's path
     * @param value the value as written, or empty when the key is missing
     * @param message the whole message, naming the file, the key and the value
     */
    public ConfigurationException(String key, String value, String message) {
        super(ErrorCode.INVALID_CONFIGURATION, message);
        this.key = key;
        this.value = value;
    }

    /** The key's path ({@code matrix.rules[2].above}); empty for the file as a whole. */
    public String key() {
        return key;
    }

    /** The bad value as written; empty when the key was missing. */
    public String value() {
        return value;
    }
}
