package dev.rollback.api.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The argument rules every Rollback builder applies. Each check returns its argument, throws
 * {@link NullPointerException} naming the field for a null, and {@link IllegalArgumentException}
 * naming the field and the (printable) value for anything else it refuses. Internal: not API.
 */
public final class Arguments {
    /** The rule for step ids, component names, verifier names and plan names. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Values shown in messages are cut to this length. */
    private static final int SHOWN = 120;

    private Arguments() {}

    /**
     * A step id, component, verifier or plan name: 1-128 letters, digits, '.', '-' or '_', starting
     * with a letter or digit. The same rule {@code RollbackPlan} applies.
     */
    public static String requireId(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!ID.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1-128 letters, digits, '.', '-' or '_'"
                    + " starting with a letter or digit, but was '" + printable(value) + "'");
        }
        return value;
    }

    /** Non-blank text with no line break (CR or LF), so it can never forge a log line. */
    public static String requireText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, but was '" + printable(value) + "'");
        }
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(
                    field + " must be one line (no CR or LF), but was '" + printable(value) + "'");
        }
        return value;
    }

    /** A duration above zero. */
    public static Duration requirePositive(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, but was " + value);
        }
        return value;
    }

    /** A duration above zero and at most {@code max}. */
    public static Duration requirePositive(Duration value, String field, Duration max) {
        requirePositive(value, field);
        if (value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be at most " + max + ", but was " + value);
        }
        return value;
    }

    /** A duration of zero or more. */
    public static Duration requireNotNegative(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, but was " + value);
        }
        return value;
    }

    /** A number of zero or more. */
    public static long requireNotNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative, but was " + value);
        }
        return value;
    }

    /** An int in {@code [min, max]}. */
    public static int requireInRange(int value, String field, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    field + " must be between " + min + " and " + max + ", but was " + value);
        }
        return value;
    }

    /**
     * {@code value} made safe to show in a message or a log line: line breaks and other control
     * characters escaped by the rule of {@link SafeText#escape} ({@code \n}, {@code \r},
     * {@code \u001b}), cut to 120 characters.
     */
    public static String printable(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), SHOWN) + 8);
        for (int i = 0; i < value.length(); i++) {
            if (sb.length() >= SHOWN) {
                sb.append("...");
                break;
            }
            SafeText.appendEscaped(sb, value.charAt(i));
        }
        return sb.toString();
    }
}
