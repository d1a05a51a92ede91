package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;
import java.util.Optional;

/**
 * One action on one component of a rollback: swap a slot, take an emergency backup, reboot a
 * cache. A step is placed in a {@link RollbackPlan}, which decides its dependencies, timeout,
 * retries and verifiers; the step itself only says what it is and does its work.
 *
 * <p>Contract for implementors:
 * <ul>
 *   <li>{@link #execute(StepContext)} may be called from any executor thread, at most once at a
 *       time per run. It must honour interruption: the executor interrupts it at its deadline
 *       or when the run is aborted.</li>
 *   <li>A step that is not {@link #idempotent() idempotent} is never retried after a failure
 *       it did not mark {@link #isTransient(Throwable) transient}, and is never re-run on resume
 *       unless {@link #tookEffect(StepContext)} says it did not take effect.</li>
 *   <li>A call whose outcome is unknown (its answer lost, the connection reset after sending, a
 *       timeout) is neither a failure nor transient: throw {@link IndeterminateOutcomeException}
 *       (or settle it yourself by reading state). The executor never re-sends it blindly: it asks
 *       {@link #tookEffect(StepContext)}, exactly as a resume does.</li>
 *   <li>A {@link #destructive() destructive} step only runs after a {@link #safeguard()
 *       safeguard} step (an emergency backup, verified) before it in the plan has succeeded.</li>
 *   <li>{@link #preflight(StepContext)} changes nothing; a dry run calls only it.</li>
 *   <li>Evidence goes to {@link StepContext#evidence(String, String)}; secrets never do.</li>
 * </ul>
 */
public interface RollbackStep {

    /** The id of this step, unique within a plan; letters, digits, '.', '-' and '_' only. */
    String id();

    /** The component this step belongs to ("app-service", "postgres"); budgets are per component. */
    String component();

    /**
     * Does the rollback action. Returns normally when the action took effect; throws otherwise.
     *
     * @throws Exception any failure; the executor records it (redacted) and, if
     *     {@link #isTransient(Throwable)} says so, retries within the step's deadline; an
     *     {@link IndeterminateOutcomeException} is settled with {@link #tookEffect(StepContext)};
     *     a {@link RollbackException} with {@link ErrorCode#HUMAN_DECISION_REQUIRED} ends the step
     *     {@code HUMAN_DECISION_REQUIRED}, never retried
     */
    void execute(StepContext context) throws Exception;

    /** Whether running this step twice has the same effect as running it once. Default: no. */
    default boolean idempotent() {
        return false;
    }

    /** Whether this step can destroy or overwrite data. Default: no. */
    default boolean destructive() {
        return false;
    }

    /**
     * Whether this step protects data for the destructive steps after it (an emergency backup and
     * its verification). Default: no.
     */
    default boolean safeguard() {
        return false;
    }

    /**
     * A read-only check that this step could run now (credentials present, resource reachable,
     * restore time inside retention). Dry runs call only this; real runs call it before
     * {@link #execute(StepContext)} so that bad input fails before any side effect. Default: nothing.
     */
    default void preflight(StepContext context) throws Exception {}

    /**
     * Whether a failure may succeed if tried again (a 429, a 503, a reset connection). Default: only
     * {@link TransientFailureException}.
     */
    default boolean isTransient(Throwable failure) {
        return failure instanceof TransientFailureException;
    }

    /**
     * Whether this step's effect is in place, read from the resource (never from memory of what was
     * sent). Asked in two places, with one meaning: on resume, for a step that started and has no end
     * record; and during a run, after an attempt threw an {@link IndeterminateOutcomeException}.
     * {@code Optional.of(true)}: the effect is there, the step is not run again and counts as done
     * (in a run its verifiers still run); {@code Optional.of(false)}: it is not, and will not appear
     * later (no operation of it is still in flight), so the step may run again; empty: "cannot tell",
     * and the step ends {@code HUMAN_DECISION_REQUIRED} (on resume, the run refuses to continue). A
     * step that is idempotent and not destructive is not asked: it simply runs again. It may read for
     * a while (an operation landing late) but must honour the context's deadline and interruption.
     * Default: cannot tell.
     */
    default Optional<Boolean> tookEffect(StepContext context) throws Exception {
        return Optional.empty();
    }

    /**
     * What this step acts on, as a stable, secret-free name (a resource id, a {@code host:port/database},
     * a slot): part of its plan's {@link RollbackPlan#digest() digest}, so that a run cannot be resumed or
     * approved against a plan whose steps point elsewhere. Default: empty (the step does not say).
     */
    default Optional<String> actsOn() {
        return Optional.empty();
    }

    /** Starts a builder for a step made of lambdas: handy for application-specific actions and tests. */
    static Builder builder(String id, String component) {
        return new Builder(id, component);
    }

    /** The body of a step built with {@link #builder(String, String)}. */
    @FunctionalInterface
    interface Action {
        /** Does the work; see {@link RollbackStep#execute(StepContext)}. */
        void run(StepContext context) throws Exception;
    }

    /**
     * Builds a {@link RollbackStep} from lambdas. Not thread-safe; each {@link #build()} returns a
     * new immutable step and leaves the builder reusable.
     */
    final class Builder {
        private final String id;
        private final String component;
        private Action action = context -> {};
        private Action preflight = context -> {};
        private boolean idempotent;
        private boolean destructive;
        private boolean safeguard;
        private Optional<String> actsOn = Optional.empty();

        private Builder(String id, String component) {
            this.id = Arguments.requireId(id, "id");
            this.component = Arguments.requireId(component, "component");
        }

        /** What the step does. Default: nothing. */
        public Builder action(Action action) {
            this.action = Objects.requireNonNull(action, "action");
            return this;
        }

        /** A read-only check run by dry runs and before the action. Default: nothing. */
        public Builder preflight(Action preflight) {
            this.preflight = Objects.requireNonNull(preflight, "preflight");
            return this;
        }

        /** Marks the step idempotent. Default: not idempotent. */
        public Builder idempotent(boolean idempotent) {
            this.idempotent = idempotent;
            return this;
        }

        /** Marks the step destructive. Default: not destructive. */
        public Builder destructive(boolean destructive) {
            this.destructive = destructive;
            return this;
        }

        /** Marks the step as a safeguard (it protects data). Default: not a safeguard. */
        public Builder safeguard(boolean safeguard) {
            this.safeguard = safeguard;
            return this;
        }

        /** What the step acts on (see {@link RollbackStep#actsOn()}); non-blank. Default: none. */
        public Builder actsOn(String actsOn) {
            this.actsOn = Optional.of(Arguments.requireText(actsOn, "actsOn"));
            return this;
        }

        /** Builds the step. */
        public RollbackStep build() {
            return new LambdaStep(id, component, action, preflight, idempotent, destructive, safeguard, actsOn);
        }
    }
}
