package dev.rollback.redis.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/** Argument checks that throw {@link IllegalArgumentException} naming the field and the value. */
public final class Checks {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Checks() {}

    /** A step id or component: letters, digits, '.', '-', '_'. */
    public static String id(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!ID.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1-128 letters, digits, '.', '-' or '_' starting with a"
                    + " letter or digit, but was '" + value + "'");
        }
        return value;
    }

    /** Non-blank text. */
    public static String text(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, but was '" + value + "'");
        }
        return value;
    }

    /** A duration above zero and at most {@code max}. */
    public static Duration positive(Duration value, String field, Duration max) {
        Objects.requireNonNull(value, field);
        if (value.isZero() || value.isNegative() || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be above zero and at most " + max + ", but was " + value);
        }
        return value;
    }

    /** An int in [min, max]. */
    public static int range(int value, String field, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    field + " must be between " + min + " and " + max + ", but was " + value);
        }
        return value;
    }
}
