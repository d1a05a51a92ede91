package dev.rollback.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one {@link Verifier}: whether it passed, what was checked (the expectation), what
 * was seen, and further details. Immutable.
 *
 * @param name the verifier's name
 * @param passed whether the check passed
 * @param checked what was checked, in words ("GET /api/health returns 200")
 * @param observed what was seen ("200 in 41 ms")
 * @param details further evidence, in insertion order; never a secret
 */
public record Verification(String name, boolean passed, String checked, String observed, Map<String, String> details) {

    /** Validates and copies. */
    public Verification {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(checked, "checked");
        Objects.requireNonNull(observed, "observed");
        Map<String, String> ordered = new LinkedHashMap<>();
        Objects.requireNonNull(details, "details")
                .forEach((k, v) -> ordered.put(Objects.requireNonNull(k, "details key"), Objects.requireNonNull(v, k)));
        details = Collections.unmodifiableMap(ordered);
    }

    /** A passed check. */
    public static Verification passed(String name, String checked, String observed) {
        return new Verification(name, true, checked, observed, Map.of());
    }

    /** A failed check. */
    public static Verification failed(String name, String checked, String observed) {
        return new Verification(name, false, checked, observed, Map.of());
    }

    /** This verification with one more typed detail, written as {@code key} writes it. */
    public <T> Verification withDetail(EvidenceKey<T> key, T value) {
        return withDetail(key.name(), key.write(value));
    }

    /** This verification with one more detail. */
    public Verification withDetail(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(details);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new Verification(name, passed, checked, observed, copy);
    }
}
