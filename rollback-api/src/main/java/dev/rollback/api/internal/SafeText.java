package dev.rollback.api.internal;

import dev.rollback.api.Redaction;

/**
 * The one escaping rule for free text that reaches a log line, a report or a notification
 * (principals, approvers, roles, reasons, evidence, decision descriptions, failure messages):
 * every control character is written as a visible escape, so no input can start a new line,
 * move the cursor or hide text. Line breaks become {@code \n} and {@code \r}, a tab {@code \t},
 * any other C0 or C1 control, DEL, the Unicode line and paragraph separators and the
 * bidirectional overrides become {@code \}{@code uXXXX}. Everything else, backslashes included,
 * is kept as it is. Internal: not API. Stateless and thread-safe.
 */
public final class SafeText {
    private SafeText() {}

    /** {@code text} with every control character escaped; the empty string for null. Never cut. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        sb.append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            appendEscaped(sb, text.charAt(i));
        }
        return sb.toString();
    }

    /** {@code text} redacted ({@link Redaction#redact}) and then escaped: the form for a log line. */
    public static String of(String text) {
        return escape(Redaction.redact(text));
    }

    /** {@code value} redacted and escaped, from its {@code toString()}; the empty string for null. */
    public static String of(Object value) {
        return value == null ? "" : of(value.toString());
    }

    /** Whether {@code c} is escaped by {@link #escape}. */
    public static boolean unsafe(char c) {
        return Character.isISOControl(c)
                || c == '\u2028'
                || c == '\u2029'
                || c == '\u061c'
                || c == '\u200e'
                || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }

    static void appendEscaped(StringBuilder sb, char c) {
        if (!unsafe(c)) {
            sb.append(c);
        } else if (c == '\n') {
            sb.append("\\n");
        } else if (c == '\r') {
            sb.append("\\r");
        } else if (c == '\t') {
            sb.append("\\t");
        } else {
            sb.append(String.format("\\u%04x", (int) c));
        }
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (unsafe(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
