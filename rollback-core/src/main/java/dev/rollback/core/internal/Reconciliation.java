package dev.rollback.core.internal;

import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.event.StepReconciled.Verdict;
import java.util.Optional;

/**
 * The one rule for a step whose effect is in doubt, shared by resume (a step that started and has
 * no end record) and by a running attempt whose call had an indeterminate outcome: a step that is
 * idempotent and not destructive may simply run again; any other is asked
 * {@link RollbackStep#tookEffect(StepContext)}, whose answer is the verdict, and a check that fails
 * or says nothing means a human decides.
 *
 * @param verdict what was decided
 * @param explanation why, redacted, for journals, events and reports
 */
record Reconciliation(Verdict verdict, String explanation) {

    /**
     * Settles {@code step} by its own reading of state, through {@code context}.
     *
     * @throws InterruptedException if the check was interrupted (the deadline, an abort): nothing
     *     was decided
     */
    static Reconciliation settle(RollbackStep step, StepContext context) throws InterruptedException {
        if (step.idempotent() && !step.destructive()) {
            return new Reconciliation(
                    Verdict.REPEAT_IS_SAFE, "it is idempotent and not destructive, so a repeat is safe");
        }
        Optional<Boolean> effect;
        try {
            effect = step.tookEffect(context);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (StepWorker.isInterruption(e)) {
                InterruptedException stop = new InterruptedException("the check of step '" + step.id() + "' stopped");
                stop.initCause(e);
                throw stop;
            }
            return new Reconciliation(
                    Verdict.CANNOT_TELL, "its check of whether it took effect failed: " + Redaction.describe(e));
        }
        if (effect == null || effect.isEmpty()) {
            return new Reconciliation(Verdict.CANNOT_TELL, "it cannot tell whether it took effect");
        }
        return effect.get()
                ? new Reconciliation(Verdict.TOOK_EFFECT, "its own check says it took effect")
                : new Reconciliation(Verdict.DID_NOT_TAKE_EFFECT, "its own check says it did not take effect");
    }

    /** Whether the step may run again: the verdict allows a repeat. */
    boolean mayRepeat() {
        return verdict == Verdict.REPEAT_IS_SAFE || verdict == Verdict.DID_NOT_TAKE_EFFECT;
    }
}
