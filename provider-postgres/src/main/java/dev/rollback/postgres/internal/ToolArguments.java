package dev.rollback.postgres.internal;

import dev.rollback.api.internal.Arguments;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Checks for every value that reaches a PostgreSQL client tool's argument list, a connection
 * string or a file name. They accept a deliberately narrow alphabet so that no value can become an
 * option ({@code -f/etc/passwd}, a leading {@code -}), a connection string ({@code host=evil
 * dbname=x}, {@code postgresql://...}), a path outside its folder ({@code ..}, {@code /}) or a second
 * line. Each failure is an {@link IllegalArgumentException} naming the field and the value.
 */
public final class ToolArguments {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$-]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?");
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9/_.-]+");
    private static final Pattern FILE_PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private ToolArguments() {}

    /**
     * A database or role name: a letter or '_' first, then letters, digits, '_', '$' or '-', at most
     * 63 characters (PostgreSQL's limit).
     */
    public static String requireName(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1-63 letters, digits, '_', '$' or '-' starting with a"
                    + " letter or '_' (no spaces, '=', '/', ':' or leading '-'), but was '" + Arguments.printable(value)
                    + "'");
        }
        return value;
    }

    /** A host name or IPv4 address: letters, digits, '.' and '-', not starting or ending with '-' or '.'. */
    public static String requireHost(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!HOST.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException(
                    field + " must be a host name or IPv4 address, but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /** A TCP port in 1-65535. */
    public static int requirePort(int value, String field) {
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(field + " must be in 1-65535, but was " + value);
        }
        return value;
    }

    /** One file name component, no separator, no "..", not starting with '-' or '.'. */
    public static String requireFileName(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!FILE_PART.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException(field + " must be a file name of letters, digits, '_', '.' and '-'"
                    + " (no '/', no '..', not starting with '-' or '.'), but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /** An absolute, normalized path with no "..", no newline and no component starting with '-'. */
    public static Path requireAbsolutePath(Path value, String field) {
        Objects.requireNonNull(value, field);
        String text = value.toString();
        if (!value.isAbsolute()
                || !value.normalize().equals(value)
                || text.contains("\n")
                || text.contains("\r")
                || text.contains("\0")) {
            throw new IllegalArgumentException(field + " must be an absolute normalized path without '..' or line"
                    + " breaks, but was '" + Arguments.printable(text) + "'");
        }
        for (Path part : value) {
            if (part.toString().startsWith("-") || part.toString().equals("..")) {
                throw new IllegalArgumentException(field + " must not have a component starting with '-' or '..',"
                        + " but was '" + Arguments.printable(text) + "'");
            }
        }
        return value;
    }

    /**
     * A path safe to put into a command PostgreSQL runs through a shell ({@code restore_command}):
     * absolute, normalized, only letters, digits, '/', '_', '.' and '-'.
     */
    public static Path requireShellSafePath(Path value, String field) {
        requireAbsolutePath(value, field);
        if (!SHELL_SAFE.matcher(value.toString()).matches()) {
            throw new IllegalArgumentException(field + " must hold only letters, digits, '/', '_', '.' and '-' (it is"
                    + " used in a restore_command), but was '" + Arguments.printable(value.toString()) + "'");
        }
        return value;
    }
}
