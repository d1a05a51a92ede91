package dev.rollback.core.trigger;

/**
 * What a rule makes of an evaluation without enough data: fewer events in its window than its
 * minimum, no gauge sample within its window, or no health check yet. Chosen per rule, so that
 * silence is never mistaken for health unless a rule says so.
 */
public enum NoDataPolicy {
    /**
     * The default: the rule reports {@link RuleState#INSUFFICIENT_DATA}. A pending breach is not
     * confirmed (its sustain starts again when data returns) and a firing rule does not resolve.
     */
    INSUFFICIENT,
    /** Count the evaluation as a breach (a silent service is a failing one); the observed value is NaN. */
    FAILING,
    /** Count the evaluation as healthy (a silent batch job is an idle one). */
    PASSING
}
