package dev.rollback.postgres.internal;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;
import java.util.regex.Pattern;

/** Azure's naming rules for what the flexible-server steps address, checked at the builders' setters. */
public final class AzureNames {
    private static final Pattern SERVER_NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])");
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[A-Za-z0-9_.()-]{1,90}");

    private AzureNames() {}

    /**
     * A resource group name: 1-90 letters, digits, '_', '.', '(', ')' or '-', not ending in '.'.
     *
     * @throws IllegalArgumentException naming {@code field} and the value otherwise
     */
    public static String requireResourceGroup(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!RESOURCE_GROUP.matcher(value).matches() || value.endsWith(".")) {
            throw new IllegalArgumentException(field + " must be 1-90 letters, digits, '_', '.', '(', ')' or '-', not"
                    + " ending in '.', but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /**
     * A flexible server name: 3-63 lowercase letters, digits and '-', not starting or ending with '-'.
     *
     * @throws IllegalArgumentException naming {@code field} and the value otherwise
     */
    public static String requireServerName(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!SERVER_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 3-63 lowercase letters, digits and '-', not"
                    + " starting or ending with '-', but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }
}
