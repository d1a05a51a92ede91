package dev.rollback.azure.appservice.internal;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;
import java.util.regex.Pattern;

/** Azure naming rules for the builders (ids and text follow {@link Arguments}); each throws IllegalArgumentException naming field and value. */
public final class Args {
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[A-Za-z0-9_.()-]{1,90}");
    private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])?");
    private static final Pattern SLOT_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?");

    private Args() {}

    /** An Azure resource group name: 1-90 letters, digits, '_', '.', '(', ')', '-', not ending in '.'. */
    public static String resourceGroup(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!RESOURCE_GROUP.matcher(value).matches() || value.endsWith(".")) {
            throw new IllegalArgumentException(field + " must be 1-90 letters, digits, '_', '.', '(', ')' or '-',"
                    + " not ending in '.', but was '" + printable(value) + "'");
        }
        return value;
    }

    /** A web app name: 1-60 letters, digits and '-', not starting or ending with '-'. */
    public static String appName(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!APP_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1-60 letters, digits and '-', not starting or"
                    + " ending with '-', but was '" + printable(value) + "'");
        }
        return value;
    }

    /** A deployment slot name (not "production"): 1-40 letters, digits and '-'. */
    public static String slotName(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!SLOT_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1-40 letters, digits and '-', not starting or"
                    + " ending with '-', but was '" + printable(value) + "'");
        }
        if (value.equalsIgnoreCase("production")) {
            throw new IllegalArgumentException(
                    field + " must name a deployment slot, not the production slot," + " but was '" + value + "'");
        }
        return value;
    }

    /** The value with control characters escaped, for messages. */
    public static String printable(String value) {
        return Arguments.printable(value);
    }
}
