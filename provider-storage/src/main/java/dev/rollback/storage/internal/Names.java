package dev.rollback.storage.internal;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Azure naming rules for the builders; each check returns its argument and throws
 * IllegalArgumentException naming the field and the (printable) value, before anything is called.
 */
public final class Names {
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[A-Za-z0-9_.()-]{1,90}");
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("\\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");

    private Names() {}

    /** An Azure resource group name: 1-90 letters, digits, '_', '.', '(', ')', '-', not ending in '.'. */
    public static String resourceGroup(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!RESOURCE_GROUP.matcher(value).matches() || value.endsWith(".")) {
            throw new IllegalArgumentException(field + " must be 1-90 letters, digits, '_', '.', '(', ')' or '-',"
                    + " not ending in '.', but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /** A storage account name: 3-24 lower-case letters and digits. */
    public static String account(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!ACCOUNT.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 3-24 lower-case letters and digits, but was '"
                    + Arguments.printable(value) + "'");
        }
        return value;
    }

    /**
     * A blob container name: 3-63 lower-case letters, digits and single hyphens, starting and ending
     * with a letter or digit (or {@code $root}).
     */
    public static String container(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!CONTAINER.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 3-63 lower-case letters, digits and single hyphens,"
                    + " starting and ending with a letter or digit, but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /**
     * A blob name prefix (a "folder"): 1-1024 characters, no control characters, no "." or ".."
     * segment, not starting with '/'. The empty prefix (the whole container) is allowed.
     */
    public static String prefix(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty()) {
            return value;
        }
        if (value.length() > 1024 || value.startsWith("/") || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " must be up to 1024 characters, no control characters,"
                    + " not starting with '/', but was '" + Arguments.printable(value) + "'");
        }
        for (String segment : value.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(
                        field + " must have no '.' or '..' segment, but was '" + Arguments.printable(value) + "'");
            }
        }
        return value;
    }
}
