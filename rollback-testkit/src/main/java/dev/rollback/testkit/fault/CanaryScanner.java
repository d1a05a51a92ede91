package dev.rollback.testkit.fault;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Looks for {@link SecretCanaries} in texts, files and the command lines of running processes, in
 * every form a leak takes: raw, URL-encoded ({@code +} or {@code %20} for spaces), Base64 (standard
 * and URL-safe, at any alignment inside a longer Base64 text such as a Basic auth header) and
 * JSON-escaped. Immutable and thread-safe; the needles are computed once.
 */
public final class CanaryScanner {
    /** How a canary was found. */
    public enum Encoding {
        /** As is. */
        RAW,
        /** Percent-encoded. */
        URL_ENCODED,
        /** Base64 (standard or URL-safe). */
        BASE64,
        /** Escaped as a JSON string. */
        JSON_ESCAPED
    }

    /**
     * One canary found.
     *
     * @param kind the canary's kind ("password", "redis-password", ...)
     * @param encoding the form it was found in
     * @param where where it was found (a file, "pid 1234 command line", a label the caller gave)
     */
    public record Finding(String kind, Encoding encoding, String where) {}

    private record Needle(String kind, Encoding encoding, String text) {}

    private final List<Needle> needles;

    private CanaryScanner(List<Needle> needles) {
        this.needles = needles;
    }

    /** A scanner for {@code canaries}. */
    public static CanaryScanner of(SecretCanaries canaries) {
        return of(canaries.byKind());
    }

    /**
     * A scanner for any named secrets (a storage account key, a SAS token), kind to value, in the
     * same forms as {@link #of(SecretCanaries)}.
     */
    public static CanaryScanner of(Map<String, String> secretsByKind) {
        Objects.requireNonNull(secretsByKind, "secretsByKind");
        List<Needle> needles = new ArrayList<>();
        secretsByKind.forEach((kind, secret) -> {
            needles.add(new Needle(kind, Encoding.RAW, secret));
            String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            needles.add(new Needle(kind, Encoding.URL_ENCODED, form));
            needles.add(new Needle(kind, Encoding.URL_ENCODED, form.replace("+", "%20")));
            needles.add(new Needle(kind, Encoding.JSON_ESCAPED, jsonEscape(secret)));
            needles.add(
                    new Needle(kind, Encoding.JSON_ESCAPED, jsonEscape(secret).replace("/", "\\/")));
            for (String b64 : base64Forms(secret.getBytes(StandardCharsets.UTF_8))) {
                needles.add(new Needle(kind, Encoding.BASE64, b64));
            }
        });
        Map<String, Needle> distinct = new LinkedHashMap<>();
        needles.forEach(n -> distinct.putIfAbsent(n.kind() + "\0" + n.text(), n));
        return new CanaryScanner(List.copyOf(distinct.values()));
    }

    /** The canaries found in {@code text}; {@code where} labels the findings. */
    public List<Finding> scan(String where, String text) {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(text, "text");
        Map<String, Finding> found = new LinkedHashMap<>();
        for (Needle n : needles) {
            if (text.contains(n.text())) {
                found.putIfAbsent(n.kind() + "/" + n.encoding(), new Finding(n.kind(), n.encoding(), where));
            }
        }
        return List.copyOf(found.values());
    }

    /** The canaries found in {@code path}: a file, or every regular file below a folder. */
    public List<Finding> scan(Path path) {
        List<Finding> found = new ArrayList<>();
        try {
            if (Files.isDirectory(path)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                    for (Path child : children) {
                        found.addAll(scan(child));
                    }
                }
            } else if (Files.isRegularFile(path)) {
                found.addAll(scan(path.toString(), new String(Files.readAllBytes(path), StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + path + " for canaries", e);
        }
        return List.copyOf(found);
    }

    /** The canaries found in the command lines of every process of this machine ({@code /proc/<pid>/cmdline}). */
    public List<Finding> scanCommandLines() {
        List<Finding> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                String cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
                found.addAll(scan("pid " + p.pid() + " command line", cmdline));
            } catch (IOException e) {
                // the process ended while we looked
            }
        });
        return List.copyOf(found);
    }

    /**
     * The canaries found in {@code failure}: the {@code toString()} and the printed stack trace of it
     * and of every exception in its cause chain and among its suppressed ones, recursively (each is
     * also scanned on its own, so a custom {@code printStackTrace} cannot hide one).
     */
    public List<Finding> scan(String where, Throwable failure) {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(failure, "failure");
        List<Finding> found = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(where, failure, seen, found);
        return List.copyOf(found);
    }

    private void collect(String where, Throwable t, Set<Throwable> seen, List<Finding> found) {
        if (t == null || !seen.add(t)) {
            return;
        }
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        found.addAll(scan(where + " " + t.getClass().getName() + " toString", String.valueOf(t)));
        found.addAll(scan(where + " " + t.getClass().getName() + " stack trace", trace.toString()));
        collect(where, t.getCause(), seen, found);
        for (Throwable suppressed : t.getSuppressed()) {
            collect(where, suppressed, seen, found);
        }
    }

    /**
     * The canaries found in the command line and the environment ({@code /proc/<pid>/cmdline} and
     * {@code environ}) of one process, if it still runs and may be read.
     */
    public List<Finding> scanProcess(long pid) {
        List<Finding> found = new ArrayList<>();
        for (String part : List.of("cmdline", "environ")) {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), part));
                String text = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
                found.addAll(scan("pid " + pid + " " + part, text));
            } catch (IOException e) {
                // the process ended while we looked, or is not ours to read
            }
        }
        return List.copyOf(found);
    }

    /** JSON string escaping as Jackson writes it (quote, backslash, control characters). */
    private static String jsonEscape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * The Base64 characters that depend only on the secret's bytes, for each of the three ways it
     * can align with Base64's 3-byte groups inside a longer text, in standard and URL-safe alphabets.
     */
    private static List<String> base64Forms(byte[] secret) {
        List<String> forms = new ArrayList<>();
        for (int offset = 0; offset < 3; offset++) {
            byte[] padded = new byte[offset + secret.length];
            System.arraycopy(secret, 0, padded, offset, secret.length);
            String encoded = Base64.getEncoder().withoutPadding().encodeToString(padded);
            int firstGroup = (offset + 2) / 3;
            int endGroup = (offset + secret.length) / 3;
            String stable = encoded.substring(firstGroup * 4, endGroup * 4);
            forms.add(stable);
            forms.add(stable.replace('+', '-').replace('/', '_'));
        }
        return forms;
    }
}
