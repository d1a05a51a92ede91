package dev.rollback.kubernetes.internal;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Kubernetes naming rules for the builders; each throws {@link IllegalArgumentException} naming the
 * field and the (printable) value.
 */
public final class Names {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private Names() {}

    /** A namespace (or a Service, a container): an RFC 1123 label, 1-63 lower-case letters, digits and '-'. */
    public static String label(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1-63 lower-case letters, digits and '-', starting and"
                    + " ending with a letter or digit, but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /** A Deployment, an HTTPRoute: an RFC 1123 subdomain, at most 253 characters. */
    public static String subdomain(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.length() > 253 || !SUBDOMAIN.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be at most 253 lower-case letters, digits, '-' and '.',"
                    + " starting and ending with a letter or digit, but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /** A container image reference: one line, no spaces. */
    public static String image(String value, String field) {
        Arguments.requireText(value, field);
        if (value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(
                    field + " must be an image reference without spaces, but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }
}
