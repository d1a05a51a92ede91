package dev.rollback.core.internal;

import dev.rollback.core.event.Slf4jRollbackListener;
import org.slf4j.MDC;

/**
 * Puts the run id, step id and attempt of the attempt running on this thread into the SLF4J MDC
 * ({@value Slf4jRollbackListener#MDC_RUN_ID}, {@value Slf4jRollbackListener#MDC_STEP_ID},
 * {@value Slf4jRollbackListener#MDC_ATTEMPT}) and, when closed, puts back what the thread had there
 * before: the step's own log lines and its libraries' carry them, and a pool thread leaves a step
 * with the MDC it came with. Confined to the thread that entered it.
 */
final class StepMdc implements AutoCloseable {
    private final String previousRun;
    private final String previousStep;
    private final String previousAttempt;

    private StepMdc(String runId, String stepId, int attempt) {
        previousRun = MDC.get(Slf4jRollbackListener.MDC_RUN_ID);
        previousStep = MDC.get(Slf4jRollbackListener.MDC_STEP_ID);
        previousAttempt = MDC.get(Slf4jRollbackListener.MDC_ATTEMPT);
        MDC.put(Slf4jRollbackListener.MDC_RUN_ID, runId);
        MDC.put(Slf4jRollbackListener.MDC_STEP_ID, stepId);
        MDC.put(Slf4jRollbackListener.MDC_ATTEMPT, Integer.toString(attempt));
    }

    /** Enters the attempt on the current thread. */
    static StepMdc enter(String runId, String stepId, int attempt) {
        return new StepMdc(runId, stepId, attempt);
    }

    @Override
    public void close() {
        restore(Slf4jRollbackListener.MDC_RUN_ID, previousRun);
        restore(Slf4jRollbackListener.MDC_STEP_ID, previousStep);
        restore(Slf4jRollbackListener.MDC_ATTEMPT, previousAttempt);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
