package dev.rollback.api;

import java.util.regex.Pattern;

/** Argument checks shared by the API's builders. */
final class Names {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Names() {}

    static String requireId(String value, String field) {
        if (value == null) {
            throw new NullPointerException(field);
        }
        if (!ID.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1-128 letters, digits, '.', '-' or '_'"
                    + " starting with a letter or digit, but was '" + value + "'");
        }
        return value;
    }

    static String requireText(String value, String field) {
        if (value == null) {
            throw new NullPointerException(field);
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    static java.time.Duration requirePositive(java.time.Duration value, String field) {
        if (value == null) {
            throw new NullPointerException(field);
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, but was " + value);
        }
        return value;
    }
}
