package dev.rollback.testkit;

import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Verifier} for tests that fails a given number of times, then passes, with the evidence
 * it is given, and counts its calls. Thread-safe.
 */
public final class FakeVerifier implements Verifier {
    private final String name;
    private final int failures;
    private final String observed;
    private final AtomicInteger calls = new AtomicInteger();

    private FakeVerifier(String name, int failures, String observed) {
        this.name = Objects.requireNonNull(name, "name");
        this.observed = Objects.requireNonNull(observed, "observed");
        if (failures < 0) {
            throw new IllegalArgumentException("failures must be >= 0, but was " + failures);
        }
        this.failures = failures;
    }

    /** A verifier that always passes and reports {@code observed}. */
    public static FakeVerifier passing(String name, String observed) {
        return new FakeVerifier(name, 0, observed);
    }

    /** A verifier that always fails and reports {@code observed}. */
    public static FakeVerifier failing(String name, String observed) {
        return new FakeVerifier(name, Integer.MAX_VALUE, observed);
    }

    /** A verifier that fails its first {@code times} calls, then passes; it reports {@code observed}. */
    public static FakeVerifier failingTimes(String name, int times, String observed) {
        return new FakeVerifier(name, times, observed);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verification verify(StepContext context) {
        int n = calls.incrementAndGet();
        return n <= failures
                ? Verification.failed(name, "fake check " + name, observed)
                : Verification.passed(name, "fake check " + name, observed);
    }

    /** How many times it was called. */
    public int calls() {
        return calls.get();
    }

    @Override
    public String toString() {
        return "FakeVerifier[" + name + "]";
    }
}
