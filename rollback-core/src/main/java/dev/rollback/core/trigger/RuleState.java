package dev.rollback.core.trigger;

/** Where a rule stands after its latest evaluation. */
public enum RuleState {
    /** Not yet evaluated, or below its minimum data with {@link NoDataPolicy#INSUFFICIENT}: neither healthy nor failing. */
    INSUFFICIENT_DATA,
    /** Evaluated on enough data and not breaching. */
    HEALTHY,
    /** Breaching, but not yet for its sustain (or not yet k of its last n evaluations). */
    PENDING,
    /** Fired: a decision was taken for this episode, and the rule has not met its clear condition. */
    FIRING,
    /** Fired, and now clear, but not yet for its hold time. */
    RESOLVING
}
