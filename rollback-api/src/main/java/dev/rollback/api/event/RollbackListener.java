package dev.rollback.api.event;

import java.util.List;
import java.util.Objects;

/**
 * Receives the events of runs, as OkHttp's {@code EventListener} does: one method per event, each
 * a no-op by default that forwards to {@link #onEvent(RollbackEvent)}, so a listener can handle
 * the events it cares about or all of them in one place. See the package comment for how they
 * nest.
 *
 * <p>Listeners are called from executor threads, concurrently for steps that run in parallel, so
 * implementations must be thread-safe and quick. A listener that throws is logged and ignored:
 * it never breaks a run.
 */
public interface RollbackListener {

    /** A listener that does nothing. */
    RollbackListener NONE = new RollbackListener() {};

    /** Receives every event not handled by a more specific method. Default: nothing. */
    default void onEvent(RollbackEvent event) {}

    /** See {@link RunStarted}. */
    default void onRunStarted(RunStarted event) {
        onEvent(event);
    }

    /** See {@link StepStarted}. */
    default void onStepStarted(StepStarted event) {
        onEvent(event);
    }

    /** See {@link StepProgress}. Called on the thread that reported the progress, as often as the step reports it. */
    default void onStepProgress(StepProgress event) {
        onEvent(event);
    }

    /** See {@link StepRetrying}. */
    default void onStepRetrying(StepRetrying event) {
        onEvent(event);
    }

    /** See {@link StepStalled}. */
    default void onStepStalled(StepStalled event) {
        onEvent(event);
    }

    /** See {@link StepReconciled}. */
    default void onStepReconciled(StepReconciled event) {
        onEvent(event);
    }

    /** See {@link StepSucceeded}. */
    default void onStepSucceeded(StepSucceeded event) {
        onEvent(event);
    }

    /** See {@link StepFailed}. */
    default void onStepFailed(StepFailed event) {
        onEvent(event);
    }

    /** See {@link StepTimedOut}. */
    default void onStepTimedOut(StepTimedOut event) {
        onEvent(event);
    }

    /** See {@link StepSkipped}. */
    default void onStepSkipped(StepSkipped event) {
        onEvent(event);
    }

    /** See {@link VerificationPassed}. */
    default void onVerificationPassed(VerificationPassed event) {
        onEvent(event);
    }

    /** See {@link VerificationFailed}. */
    default void onVerificationFailed(VerificationFailed event) {
        onEvent(event);
    }

    /** See {@link BudgetExceeded}. */
    default void onBudgetExceeded(BudgetExceeded event) {
        onEvent(event);
    }

    /** See {@link RunAborted}. */
    default void onRunAborted(RunAborted event) {
        onEvent(event);
    }

    /** See {@link RunFinished}. */
    default void onRunFinished(RunFinished event) {
        onEvent(event);
    }

    /** Calls the method of this listener that matches the event's type. */
    default void dispatch(RollbackEvent event) {
        if (event instanceof RunStarted e) {
            onRunStarted(e);
        } else if (event instanceof StepStarted e) {
            onStepStarted(e);
        } else if (event instanceof StepProgress e) {
            onStepProgress(e);
        } else if (event instanceof StepRetrying e) {
            onStepRetrying(e);
        } else if (event instanceof StepStalled e) {
            onStepStalled(e);
        } else if (event instanceof StepReconciled e) {
            onStepReconciled(e);
        } else if (event instanceof StepSucceeded e) {
            onStepSucceeded(e);
        } else if (event instanceof StepFailed e) {
            onStepFailed(e);
        } else if (event instanceof StepTimedOut e) {
            onStepTimedOut(e);
        } else if (event instanceof StepSkipped e) {
            onStepSkipped(e);
        } else if (event instanceof VerificationPassed e) {
            onVerificationPassed(e);
        } else if (event instanceof VerificationFailed e) {
            onVerificationFailed(e);
        } else if (event instanceof BudgetExceeded e) {
            onBudgetExceeded(e);
        } else if (event instanceof RunAborted e) {
            onRunAborted(e);
        } else if (event instanceof RunFinished e) {
            onRunFinished(e);
        }
    }

    /**
     * A listener that passes every event to each of {@code listeners} in order. One that throws
     * does not keep the event from the others; its exception is rethrown after all were called.
     */
    static RollbackListener composite(List<RollbackListener> listeners) {
        List<RollbackListener> copy = List.copyOf(listeners);
        Objects.requireNonNull(copy, "listeners");
        return new RollbackListener() {
            @Override
            public void dispatch(RollbackEvent event) {
                RuntimeException first = null;
                for (RollbackListener l : copy) {
                    try {
                        l.dispatch(event);
                    } catch (RuntimeException e) {
                        if (first == null) {
                            first = e;
                        } else {
                            first.addSuppressed(e);
                        }
                    }
                }
                if (first != null) {
                    throw first;
                }
            }
        };
    }
}
