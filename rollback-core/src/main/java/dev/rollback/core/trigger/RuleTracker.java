package dev.rollback.core.trigger;

import dev.rollback.api.Decision;
import java.time.Instant;
import java.util.Optional;

/**
 * The state of one rule across evaluations: its last n breaches (k of n), when it became active
 * (sustain), whether it fired, and since when it has been clear (hold time). Confined to the
 * evaluating thread (the engine evaluates under its lock).
 */
final class RuleTracker {
    private static final long NEVER = Long.MIN_VALUE;

    private final TriggerRule rule;
    private final long sustainNanos;
    private final long holdNanos;
    private final long historyMask;
    private final long[] evaluatedAt; // ring of the last n evaluation times; evaluatedAt[cursor] is the latest
    private int cursor;
    private long history; // bit i set: the i-th latest evaluation breached
    private long activeSince = NEVER;
    private long breachBegan = NEVER;
    private long clearSince = NEVER;
    private boolean firing;
    private RuleState state = RuleState.INSUFFICIENT_DATA;
    private double lastObserved = Double.NaN;

    RuleTracker(TriggerRule rule) {
        this.rule = rule;
        this.sustainNanos = rule.sustain().toNanos();
        this.holdNanos = rule.holdTime().toNanos();
        int n = rule.evaluationsConsidered();
        this.historyMask = n == 64 ? -1L : (1L << n) - 1;
        this.evaluatedAt = new long[n];
    }

    TriggerRule rule() {
        return rule;
    }

    RuleState state() {
        return state;
    }

    /** The value the latest evaluation saw, NaN before the first or when it had no data. */
    double lastObserved() {
        return lastObserved;
    }

    /**
     * Takes one evaluation into account and returns the decision it leads to, if the rule fires
     * now.
     *
     * @param observed the rule's value, NaN for no data
     * @param threshold the threshold in force (the rule's, or a heightened-monitoring override)
     * @param clearAt the clear threshold in force
     * @param alarm the alarm's description, for alarm rules
     */
    Optional<Decision> evaluate(
            double observed, double threshold, double clearAt, String alarm, long nowNanos, Instant now) {
        lastObserved = observed;
        boolean noData = Double.isNaN(observed);
        boolean breach;
        boolean clear;
        if (noData) {
            breach = rule.noData() == NoDataPolicy.FAILING;
            clear = rule.noData() == NoDataPolicy.PASSING;
        } else {
            breach = rule.breaches(observed, threshold);
            clear = rule.clears(observed, clearAt);
        }
        if (firing) {
            holdOrResolve(clear, nowNanos);
            return Optional.empty();
        }
        cursor = (cursor + 1) % evaluatedAt.length;
        evaluatedAt[cursor] = nowNanos;
        history = ((history << 1) | (breach ? 1 : 0)) & historyMask;
        if (Long.bitCount(history) < rule.breachesRequired()) {
            activeSince = NEVER;
            state = noData && rule.noData() == NoDataPolicy.INSUFFICIENT
                    ? RuleState.INSUFFICIENT_DATA
                    : RuleState.HEALTHY;
            return Optional.empty();
        }
        if (activeSince == NEVER) {
            activeSince = nowNanos;
            breachBegan = earliestBreach();
        }
        if (nowNanos - activeSince < sustainNanos) {
            state = RuleState.PENDING;
            return Optional.empty();
        }
        firing = true;
        clearSince = NEVER;
        state = RuleState.FIRING;
        Instant began = now.minusNanos(nowNanos - breachBegan);
        return Optional.of(new Decision(
                rule.action(),
                rule.kind(),
                rule.severity(),
                rule.name(),
                observed,
                threshold,
                rule.unit(),
                Descriptions.decision(rule, observed, threshold, alarm),
                began,
                now));
    }

    private void holdOrResolve(boolean clear, long nowNanos) {
        if (!clear) {
            clearSince = NEVER;
            state = RuleState.FIRING;
            return;
        }
        if (clearSince == NEVER) {
            clearSince = nowNanos;
        }
        if (nowNanos - clearSince < holdNanos) {
            state = RuleState.RESOLVING;
            return;
        }
        firing = false;
        history = 0;
        activeSince = NEVER;
        state = RuleState.HEALTHY;
    }

    /** The time of the earliest breaching evaluation among the last n. */
    private long earliestBreach() {
        int n = evaluatedAt.length;
        for (int age = n - 1; age > 0; age--) {
            if ((history & (1L << age)) != 0) {
                return evaluatedAt[Math.floorMod(cursor - age, n)];
            }
        }
        return evaluatedAt[cursor];
    }
}
