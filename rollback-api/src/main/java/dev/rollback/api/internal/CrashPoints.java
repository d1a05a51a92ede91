package dev.rollback.api.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Named crash points for fault tests. Production code calls {@link #reach(String)} at the moments
 * a crash matters (before a journal append, after fsync, after a step's effect, between a
 * long-running request and journaling its URL). The call does nothing unless the system property
 * {@value #PROPERTY} names that point, and then halts the JVM at once, as SIGKILL would: no
 * shutdown hooks, no finally blocks, no flush.
 *
 * <p>{@code -Drollback.crashpoint=journal.after-fsync} halts at the first time that point is
 * reached; {@code journal.after-fsync@3} at the third. Several points are separated by commas.
 * Thread-safe; the cost when disabled is one volatile read.
 */
public final class CrashPoints {
    /** The system property that arms crash points. */
    public static final String PROPERTY = "rollback.crashpoint";
    /** The exit status of a halted JVM, as a shell reports SIGKILL. */
    public static final int EXIT_STATUS = 137;

    private static volatile Map<String, Integer> armed = parse(System.getProperty(PROPERTY));
    private static final Map<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

    private CrashPoints() {}

    /** Halts the JVM if {@code point} is armed and reached its count; otherwise does nothing. */
    public static void reach(String point) {
        Map<String, Integer> current = armed;
        if (current.isEmpty()) {
            return;
        }
        Integer at = current.get(point);
        if (at == null) {
            return;
        }
        int n = REACHED.computeIfAbsent(point, p -> new AtomicInteger()).incrementAndGet();
        if (n == at) {
            System.err.println("rollback: crash point '" + point + "' reached (#" + n + "), halting");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /** The crash points armed now. */
    public static Set<String> armed() {
        return armed.keySet();
    }

    /** Re-reads {@value #PROPERTY}; for tests that set it after start-up. */
    public static void rearm() {
        armed = parse(System.getProperty(PROPERTY));
        REACHED.clear();
    }

    private static Map<String, Integer> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return Map.of();
        }
        return Arrays.stream(spec.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableMap(
                        s -> s.contains("@") ? s.substring(0, s.indexOf('@')) : s,
                        s -> s.contains("@") ? Integer.parseInt(s.substring(s.indexOf('@') + 1)) : 1,
                        (a, b) -> a));
    }
}
