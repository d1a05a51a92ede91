package dev.rollback.core.trigger;

import dev.rollback.api.Decision;

/**
 * Receives the decisions a {@link TriggerEngine} takes, one per episode of a rule, on the thread
 * that evaluated (the engine's evaluator thread, or the caller of
 * {@link TriggerEngine#evaluate()} or of an alarm). A listener should return quickly and hand
 * long work to its own executor. An exception it throws is logged and never stops the engine or
 * the other listeners.
 */
@FunctionalInterface
public interface DecisionListener {

    /** A listener that does nothing. */
    DecisionListener NONE = decision -> {};

    /** Called once for each decision, in the order the decisions were taken. */
    void onDecision(Decision decision);
}
