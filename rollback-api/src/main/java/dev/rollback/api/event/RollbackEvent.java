package dev.rollback.api.event;

import java.time.Instant;

/** Something that happened in a run; every event names its run and when it happened. Immutable. */
public sealed interface RollbackEvent
        permits RunStarted,
                RunFinished,
                RunAborted,
                StepStarted,
                StepProgress,
                StepRetrying,
                StepStalled,
                StepReconciled,
                StepSucceeded,
                StepFailed,
                StepTimedOut,
                StepSkipped,
                VerificationPassed,
                VerificationFailed,
                BudgetExceeded {

    /** The run. */
    String runId();

    /** When it happened (wall time from the executor's clock). */
    Instant at();
}
