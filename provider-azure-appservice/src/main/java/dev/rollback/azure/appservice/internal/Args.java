package dev.rollback.azure.appservice.internal;

import java.util.Objects;
import java.util.regex.Pattern;

/** Argument checks shared by the builders; each throws IllegalArgumentException naming field and value. */
public final class Args {
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[A-Za-z0-9_.()-]{1,90}");
    private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])?");
    private static final Pattern SLOT_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

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

    /** A step id, component or verifier name: letters, digits, '.', '-' and '_'. */
    public static String id(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!ID.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    field + " must be 1-100 letters, digits, '.', '-' or '_', but was '" + printable(value) + "'");
        }
        return value;
    }

    /** Non-blank text of at most 200 characters. */
    public static String text(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank() || value.length() > 200) {
            throw new IllegalArgumentException(
                    field + " must be 1-200 characters and not blank, but was '" + printable(value) + "'");
        }
        return value;
    }

    /** The value with control characters escaped and cut to 80 characters, for messages. */
    public static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (sb.length() >= 80) {
                sb.append("...");
                break;
            }
            sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
