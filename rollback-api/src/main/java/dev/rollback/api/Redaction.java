package dev.rollback.api;

import dev.rollback.api.internal.SafeText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it reaches a log, a report, a journal or an exception message.
 * Two nets: every value ever wrapped in a {@link Secret} is masked wherever it appears, raw,
 * URL-encoded, Base64-encoded or JSON-escaped; and well-known secret shapes are masked even when
 * nobody wrapped them (a password in a JDBC or PostgreSQL URL, {@code password=...},
 * {@code AccountKey=...}, a SAS {@code sig=}, a bearer token, a client secret).
 *
 * <p>The registry of known secrets is bounded: a value stays known while a {@link Secret} holding
 * it is alive (it leaves when the last one is garbage-collected), and at most {@value #MAX_KNOWN}
 * values are kept. A quoted value ({@code password='a b'}, {@code "token": "x y"}) is masked whole.
 *
 * <p>Thread-safe. Costs a scan per known secret; meant for messages and evidence, not hot paths.
 */
public final class Redaction {
    /** What a masked secret becomes. */
    public static final String MASK = "***";

    /** At most this many known secrets are kept; the longest unused leaves first. */
    static final int MAX_KNOWN = 1024;

    /** Secret value to the number of live {@link Secret}s holding it; guarded by itself. */
    private static final Map<String, Integer> LIVE = new LinkedHashMap<>(64, 0.75f, true);

    /** The encoded forms of every known secret, rebuilt on each change; read without a lock. */
    private static volatile List<String> forms = List.of();

    private static final String KEYS = "password|passwd|pwd|pass|secret|client_secret|clientsecret|accountkey|"
            + "sharedaccesskey|sharedaccesssignature|sig|token|access_token|refresh_token|apikey|api_key|"
            + "api-key|instrumentationkey|auth";

    private static final List<Pattern> SHAPES = List.of(
            // user:password@host in any URL (postgresql://, redis://, https://)
            Pattern.compile("(?<keep>://[^/\\s:@]*:)(?<secret>[^@\\s/]+)(?=@)"),
            // quoted values whose key says secret: conninfo password='a b\'c', JSON "token": "x y"
            Pattern.compile("(?i)(?<keep>\\b(?:" + KEYS
                    + ")\"?\\s*[=:]\\s*(?<q>['\"]))(?<secret>(?:\\\\.|(?!\\k<q>).)*)" + "(?=\\k<q>)"),
            // key=value and key: value pairs whose key says secret
            Pattern.compile("(?i)(?<keep>\\b(?:" + KEYS + ")\"?\\s*[=:]\\s*\"?)(?<secret>[^\\s;&\"',}]+)"),
            // Authorization: Bearer xxx / Basic xxx
            Pattern.compile("(?i)(?<keep>\\b(?:bearer|basic)\\s+)(?<secret>[A-Za-z0-9._~+/=-]{8,})"));

    private Redaction() {}

    /** Masks secrets in {@code text}; returns the empty string for null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String out = text;
        for (String form : forms) {
            if (out.contains(form)) {
                out = out.replace(form, MASK);
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

    /**
     * {@code cause} made safe to hand to a caller: kept as it is when every exception in its chain
     * (causes and suppressed) is Rollback's own or the JDK's and no message holds a secret shape or
     * a known secret; otherwise a copy in which each foreign exception is a {@link RedactedCause}
     * (a {@link java.sql.SQLException} stays a {@code SQLException} with its SQLState) carrying
     * the original class name, the redacted one-line message and the original stack trace. Returns
     * null for null. {@link RollbackException} applies it to every cause it is given.
     */
    public static Throwable redactedCause(Throwable cause) {
        return cause == null || clean(cause, 0) ? cause : copy(cause, 0);
    }

    private static final int MAX_DEPTH = 12;

    private static boolean clean(Throwable t, int depth) {
        if (t instanceof RollbackException || t instanceof RedactedCause || t instanceof RedactedSqlException) {
            return true; // their causes were made safe when they were set
        }
        String type = t.getClass().getName();
        if (depth > MAX_DEPTH || !(type.startsWith("java.") || type.startsWith("javax."))) {
            return false;
        }
        String message = t.getMessage();
        if (message != null && !redact(message).equals(message)) {
            return false;
        }
        Throwable cause = t.getCause();
        if (cause != null && cause != t && !clean(cause, depth + 1)) {
            return false;
        }
        for (Throwable s : t.getSuppressed()) {
            if (!clean(s, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    private static Throwable copy(Throwable t, int depth) {
        if (t instanceof RollbackException || t instanceof RedactedCause || t instanceof RedactedSqlException) {
            return t;
        }
        String type = t.getClass().getName();
        String message = t.getMessage() == null ? type : type + ": " + SafeText.escape(redact(t.getMessage()));
        Throwable copy = t instanceof SQLException sql
                ? new RedactedSqlException(message, sql.getSQLState(), sql.getErrorCode())
                : new RedactedCause(type, message);
        copy.setStackTrace(t.getStackTrace());
        if (depth < MAX_DEPTH) {
            Throwable cause = t.getCause();
            if (cause != null && cause != t) {
                copy.initCause(copy(cause, depth + 1));
            }
            for (Throwable s : t.getSuppressed()) {
                copy.addSuppressed(copy(s, depth + 1));
            }
        }
        return copy;
    }

    /**
     * Registers a secret value so that every later redaction masks it, for as long as a
     * {@link Secret} holding it lives ({@link #release}); the registry keeps at most
     * {@value #MAX_KNOWN} values, dropping the one registered or used longest ago.
     */
    static void register(String secret) {
        if (secret.length() < 4) {
            return;
        }
        synchronized (LIVE) {
            LIVE.merge(secret, 1, Integer::sum);
            Iterator<String> eldest = LIVE.keySet().iterator();
            while (LIVE.size() > MAX_KNOWN && eldest.hasNext()) {
                eldest.next();
                eldest.remove();
            }
            rebuild();
        }
    }

    /** One {@link Secret} holding {@code secret} is gone; the last one takes it out of the registry. */
    static void release(String secret) {
        synchronized (LIVE) {
            Integer left = LIVE.computeIfPresent(secret, (k, n) -> n > 1 ? n - 1 : null);
            if (left == null) {
                rebuild();
            }
        }
    }

    /** How many secret values are known now. */
    static int knownCount() {
        synchronized (LIVE) {
            return LIVE.size();
        }
    }

    private static void rebuild() {
        List<String> all = new ArrayList<>(LIVE.size() * 5);
        // longest first, so a secret that contains another is masked whole
        LIVE.keySet().stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .forEach(secret -> all.addAll(new LinkedHashSet<>(forms(secret))));
        forms = List.copyOf(all);
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
