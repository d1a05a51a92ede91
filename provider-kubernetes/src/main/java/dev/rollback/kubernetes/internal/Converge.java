package dev.rollback.kubernetes.internal;

import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Read, compare, write with the resourceVersion read, for the steps that set one field of one object
 * (a Service's selector, a route's backends): nothing is written when the object already is as
 * wanted; a 409 re-reads and tries again (at most {@value #MAX_CONFLICTS} times, within the step);
 * a transient failure of the write re-reads and adopts the change if it landed, and is rethrown for
 * the executor otherwise. Never a blind re-send.
 */
public final class Converge {
    /** How many conflicts in a row one attempt accepts. */
    public static final int MAX_CONFLICTS = 20;

    private Converge() {}

    /** What one {@link #converge} did: whether it sent a write that is in place, and the conflicts it met. */
    public record Outcome(boolean changed, int conflicts) {}

    /**
     * Brings the object to the wanted state.
     *
     * @param read reads the live object (and throws a clear error if it is gone)
     * @param done whether an object already is as wanted
     * @param change the wanted object made from a live one (a copy carrying its resourceVersion)
     * @param write sends it
     */
    public static <T> Outcome converge(
            StepContext context,
            String what,
            Supplier<T> read,
            Predicate<T> done,
            UnaryOperator<T> change,
            UnaryOperator<T> write) {
        int conflicts = 0;
        boolean sent = false;
        while (true) {
            if (context.stopRequested()) {
                throw new StepInterruptedException(what + " was stopped");
            }
            T live = read.get();
            if (done.test(live)) {
                return new Outcome(sent, conflicts); // a write of an earlier round landed, its answer lost
            }
            T wanted = change.apply(live);
            context.checkpoint();
            try {
                sent = true;
                write.apply(wanted);
                return new Outcome(true, conflicts);
            } catch (KubeFailures.Conflict conflict) {
                conflicts++;
                context.progress("conflict " + conflicts + " " + what + "; re-reading");
                if (conflicts >= MAX_CONFLICTS) {
                    throw new TransientFailureException(
                            what + " met " + conflicts + " conflicts in a row; " + conflict.getMessage(), conflict);
                }
            } catch (TransientFailureException uncertain) {
                T after;
                try {
                    after = read.get();
                } catch (RuntimeException e) {
                    uncertain.addSuppressed(e);
                    throw uncertain;
                }
                if (done.test(after)) {
                    return new Outcome(true, conflicts);
                }
                throw uncertain;
            }
        }
    }
}
