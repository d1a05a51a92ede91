package dev.rollback.config;

import java.util.Objects;

/**
 * A success metric's limit (what must hold) and target (what should), as the runbook writes them:
 * "Time to Detection: &lt;5 minutes (Target: &lt;2 minutes)". For a metric where less is better (a
 * time, records lost, users affected) the target is at most the limit; for one where more is better
 * (availability, restoration, integrity) at least. Immutable.
 *
 * @param <T> the value's type ({@link java.time.Duration}, {@link Long} or {@link Double})
 * @param limit the limit
 * @param target the target
 */
public record LimitAndTarget<T extends Comparable<T>>(T limit, T target) {

    /** Checks the parts. */
    public LimitAndTarget {
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(target, "target");
    }

    /** A limit and a target. */
    public static <T extends Comparable<T>> LimitAndTarget<T> of(T limit, T target) {
        return new LimitAndTarget<>(limit, target);
    }
}
