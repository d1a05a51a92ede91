package dev.rollback.integrations.internal;

import java.net.IDN;
import java.util.Locale;

/**
 * Parses an email address as RFC 5321/5322 define an {@code addr-spec} (no display name, no
 * comments, no folding white space): a local part that is a dot-atom ({@code first.last+tag}) or a
 * quoted string ({@code "john@home"}), one {@code @}, and a domain that is a host name. The domain is
 * returned in lower case ASCII (internationalized names as punycode), so that comparing it with an
 * allow-list is exact and case-insensitive. Stateless and thread-safe.
 *
 * <p>What it refuses, with the reason: an empty or over-long address (more than 254 characters, a
 * local part over 64), white space or control characters outside quotes, an {@code @} outside
 * quotes in the local part ({@code user@evil.com@authorizeddomain.com}: the first {@code @} ends the
 * local part, and {@code evil.com@authorizeddomain.com} is no host name), a dot at either end of the
 * local part or two in a row, an unterminated quote, an address literal ({@code [192.0.2.1]}), and a
 * domain that is not a host name (empty labels, labels over 63, a hyphen at either end of a label,
 * a trailing dot).
 */
public final class EmailAddresses {
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private EmailAddresses() {}

    /**
     * The outcome of a parse.
     *
     * @param domain the domain in lower-case ASCII, or empty when refused
     * @param refusal why the address was refused, or empty when accepted
     */
    public record Parsed(String domain, String refusal) {
        /** Whether the address is well formed. */
        public boolean valid() {
            return refusal.isEmpty();
        }
    }

    /** Parses {@code address}. */
    public static Parsed parse(String address) {
        if (address == null || address.isEmpty()) {
            return refused("the address is empty");
        }
        if (address.length() > 254) {
            return refused("the address is longer than 254 characters");
        }
        int i = 0;
        int n = address.length();
        if (address.charAt(0) == '"') {
            i = 1;
            boolean closed = false;
            while (i < n) {
                char c = address.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= n || !printableAscii(address.charAt(i + 1)) && address.charAt(i + 1) != ' ') {
                        return refused("a backslash in the quoted local part escapes nothing printable");
                    }
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    closed = true;
                    i++;
                    break;
                }
                if (!(printableAscii(c) || c == ' ')) {
                    return refused("the quoted local part holds a control or non-ASCII character");
                }
                i++;
            }
            if (!closed) {
                return refused("the quoted local part is not closed");
            }
        } else {
            boolean lastDot = true;
            while (i < n && address.charAt(i) != '@') {
                char c = address.charAt(i);
                if (c == '.') {
                    if (lastDot) {
                        return refused(
                                i == 0 ? "the local part starts with a dot" : "the local part has two dots in a row");
                    }
                    lastDot = true;
                } else if (atext(c)) {
                    lastDot = false;
                } else {
                    return refused("the local part holds '" + describe(c) + "', which must be quoted");
                }
                i++;
            }
            if (i == 0) {
                return refused("the local part is empty");
            }
            if (lastDot) {
                return refused("the local part ends with a dot");
            }
        }
        if (i > 64) {
            return refused("the local part is longer than 64 characters");
        }
        if (i >= n || address.charAt(i) != '@') {
            return refused("no '@' follows the local part");
        }
        String domain = address.substring(i + 1);
        return domain(domain);
    }

    /** Checks and normalizes a host name (an allow-list entry): lower-case ASCII, punycode for IDNs. */
    public static Parsed domain(String domain) {
        if (domain.isEmpty()) {
            return refused("the domain is empty");
        }
        if (domain.startsWith("[")) {
            return refused("the domain is an address literal, not a host name");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, 0).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return refused("the domain is not a valid internationalized host name");
        }
        if (ascii.length() > 253) {
            return refused("the domain is longer than 253 characters");
        }
        if (ascii.endsWith(".")) {
            return refused("the domain ends with a dot");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            return refused(
                    "the domain '" + ascii + "' has no dot; a host name of the internet has at least two labels");
        }
        for (String label : labels) {
            if (label.isEmpty()) {
                return refused("the domain has an empty label");
            }
            if (label.length() > 63) {
                return refused("a label of the domain is longer than 63 characters");
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return refused("a label of the domain starts or ends with a hyphen");
            }
            for (int k = 0; k < label.length(); k++) {
                char c = label.charAt(k);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                    return refused("the domain holds '" + describe(c) + "', which no host name may");
                }
            }
        }
        return new Parsed(ascii, "");
    }

    private static boolean atext(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || ATEXT_SPECIALS.indexOf(c) >= 0;
    }

    private static boolean printableAscii(char c) {
        return c > ' ' && c < 127;
    }

    private static String describe(char c) {
        return c < ' ' || c >= 127 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private static Parsed refused(String why) {
        return new Parsed("", why);
    }
}
