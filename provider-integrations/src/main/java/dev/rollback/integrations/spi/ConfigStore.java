package dev.rollback.integrations.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * A versioned, durable place where an application reads the configuration of its components
 * (an integration's OAuth settings, an AI endpoint, a monitoring agent's file), each under a name.
 * The steps of this provider read it and replace whole configurations with compare-and-set; they
 * never write part of one.
 *
 * <p>Contract for implementors:
 * <ul>
 *   <li>{@link #replace} is atomic and durable: a reader (and a process that crashed halfway and
 *       restarted) sees the old version or the new one, never a mix; when it returns, the new
 *       version survives a power cut. It refuses, with {@link ConfigConflictException}, to replace a
 *       version other than the one the caller read, and keeps the version it replaced as
 *       {@link #previous(String, Duration)}.</li>
 *   <li>No call waits longer than its {@code timeout} (the caller's remaining budget), as far as
 *       the underlying system allows.</li>
 *   <li>An unreachable store throws {@link dev.rollback.api.TransientFailureException} where a retry
 *       may help and another {@link dev.rollback.api.RollbackException} otherwise, naming the store
 *       ({@link #describe()}) and never a credential or a configuration's text.</li>
 *   <li>Names follow the step-id rule (letters, digits, '.', '-', '_', starting with a letter or digit,
 *       at most 128), so no name can reach outside the store; implementations check them anyway.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface ConfigStore {

    /** Where the store is ("file store /etc/advisoros", "JDBC table app_config"); never a credential. */
    String describe();

    /**
     * The current version of configuration {@code name}, or empty if the store has none. Read-only.
     *
     * @throws IllegalArgumentException if {@code name} breaks the naming rule
     */
    Optional<ConfigDocument> read(String name, Duration timeout);

    /**
     * The version that the last {@link #replace} of {@code name} replaced, or empty if none was
     * kept. Read-only.
     */
    Optional<ConfigDocument> previous(String name, Duration timeout);

    /**
     * A read-only check that {@code name} could be replaced now (the folder is writable, the file is
     * no symbolic link). Default: nothing to check beyond what {@link #read} checks.
     */
    default void checkWritable(String name, Duration timeout) {}

    /**
     * Replaces configuration {@code name}, which must exist and still be at {@code expected}'s
     * version, with {@code content}; keeps the replaced version as {@link #previous}. See the class
     * comment for atomicity and durability.
     *
     * @param writer who writes ("run 4f2c… step quickbooks-oauth-config"), kept where the store keeps
     *     an audit trail; one line
     * @return the new current version
     * @throws ConfigConflictException if the current version is not {@code expected} (nothing written)
     */
    ConfigDocument replace(String name, ConfigDocument expected, String content, String writer, Duration timeout);
}
