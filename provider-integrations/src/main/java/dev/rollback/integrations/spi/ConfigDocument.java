package dev.rollback.integrations.spi;

import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.Digests;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One version of one named configuration in a {@link ConfigStore}: its name, the store's version
 * token, its text and the SHA-256 of that text (UTF-8). Configurations hold references to secrets
 * ({@code ${secret:qb-backup-client-secret}}), resolved by the application, never the secrets; even
 * so, the text is never shown: {@link #toString()} gives the name, version and digest only, and so
 * does every piece of evidence the steps record.
 *
 * <p>Immutable and thread-safe. Two documents are equal when name, version and digest are.
 */
public final class ConfigDocument {
    private final String name;
    private final String version;
    private final String content;
    private final String sha256;

    private ConfigDocument(String name, String version, String content) {
        this.name = Arguments.requireId(name, "name");
        this.version = Arguments.requireText(version, "version");
        this.content = Objects.requireNonNull(content, "content");
        this.sha256 = Digests.sha256(content);
    }

    /**
     * A document; the digest is computed here.
     *
     * @param name the configuration's name (letters, digits, '.', '-', '_', starting with a letter or digit)
     * @param version the store's token for this version (a row version, a digest prefix); one line
     * @param content the text
     */
    public static ConfigDocument of(String name, String version, String content) {
        return new ConfigDocument(name, version, content);
    }

    /** The configuration's name. */
    public String name() {
        return name;
    }

    /**
     * The store's token for this version: {@link dev.rollback.integrations.JdbcConfigStore} numbers
     * versions 1, 2, 3; {@link dev.rollback.integrations.FileConfigStore} has no numbers and uses the
     * first 12 hex digits of the digest.
     */
    public String version() {
        return version;
    }

    /** The text. Hand it to the one call that needs it; never log it or put it into evidence. */
    public String content() {
        return content;
    }

    /** The SHA-256 of the text's UTF-8 bytes, 64 lower-case hex digits. */
    public String sha256() {
        return sha256;
    }

    /** The size of the text in UTF-8 bytes. */
    public int size() {
        return content.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Whether {@code other} holds the same text (the same digest), whatever its name or version. */
    public boolean sameContentAs(ConfigDocument other) {
        return sha256.equals(other.sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigDocument d
                && d.name.equals(name)
                && d.version.equals(version)
                && d.sha256.equals(sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version, sha256);
    }

    /** Name, version and digest; never the text. */
    @Override
    public String toString() {
        return "ConfigDocument[" + name + " version " + version + " sha256:" + sha256 + "]";
    }
}
