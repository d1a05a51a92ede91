package dev.rollback.api;

import dev.rollback.api.internal.SafeText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it reaches a log, a report, a journal or an exception message.
 * Two nets: every value ever wrapped in a {@link Secret} is masked wherever it appears, raw,
 * URL-encoded, Base64-encoded or JSON-escaped; and well-known secret shapes are masked even when
 * nobody wrapped them (a password in a JDBC or PostgreSQL URL, {@code password=...},
 * {@code AccountKey=...}, a SAS {@code sig=}, a bearer token, a client secret).
 *
 * <p>Thread-safe. Costs a scan per known secret; meant for messages and evidence, not hot paths.
 */
public final class Redaction {
    /** What a masked secret becomes. */
    public static final String MASK = "***";

    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private static final List<Pattern> SHAPES = List.of(
            // user:password@host in any URL (postgresql://, redis://, https://)
            Pattern.compile("(?<keep>://[^/\\s:@]*:)(?<secret>[^@\\s/]+)(?=@)"),
            // key=value and key: value pairs whose key says secret
            Pattern.compile("(?i)(?<keep>\\b(?:password|passwd|pwd|pass|secret|client_secret|clientsecret|accountkey|"
                    + "sharedaccesskey|sharedaccesssignature|sig|token|access_token|refresh_token|apikey|api_key|"
                    + "api-key|instrumentationkey|auth)\"?\\s*[=:]\\s*\"?)(?<secret>[^\\s;&\"',}]+)"),
            // Authorization: Bearer xxx / Basic xxx
            Pattern.compile("(?i)(?<keep>\\b(?:bearer|basic)\\s+)(?<secret>[A-Za-z0-9._~+/=-]{8,})"));

    private Redaction() {}

    /** Masks secrets in {@code text}; returns the empty string for null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String out = text;
        for (String secret : KNOWN) {
            for (String form : forms(secret)) {
                if (out.contains(form)) {
                    out = out.replace(form, MASK);
                }
            }
        }
        for (Pattern shape : SHAPES) {
            Matcher m = shape.matcher(out);
            StringBuilder sb = new StringBuilder(out.length());
            boolean found = false;
            while (m.find()) {
                found = true;
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group("keep") + MASK));
            }
            if (found) {
                m.appendTail(sb);
                out = sb.toString();
            }
        }
        return out;
    }

    /**
     * A throwable's message chain ("Type: message; caused by Type: message"), redacted and on one
     * line: control characters (a driver's multi-line message, an echoed CR/LF) are escaped.
     */
    public static String describe(Throwable failure) {
        StringBuilder sb = new StringBuilder();
        Throwable t = failure;
        int depth = 0;
        while (t != null && depth < 5) {
            if (depth > 0) {
                sb.append("; caused by ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
            t = t.getCause() == t ? null : t.getCause();
            depth++;
        }
        return SafeText.escape(redact(sb.toString()));
    }

    /** Registers a secret value so that every later redaction masks it. */
    static void register(String secret) {
        if (secret.length() >= 4) {
            KNOWN.add(secret);
        }
    }

    private static List<String> forms(String secret) {
        String json = secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/");
        return List.of(
                secret,
                URLEncoder.encode(secret, StandardCharsets.UTF_8),
                Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)),
                Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8)),
                json);
    }
}
