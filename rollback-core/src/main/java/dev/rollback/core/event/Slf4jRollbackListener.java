package dev.rollback.core.event;

import dev.rollback.api.event.BudgetExceeded;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunAborted;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepFailed;
import dev.rollback.api.event.StepReconciled;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.event.StepSkipped;
import dev.rollback.api.event.StepStalled;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.event.VerificationFailed;
import dev.rollback.api.event.VerificationPassed;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Logs every event of every run through SLF4J (logger {@code dev.rollback.run}), with the run id
 * in the MDC key {@value #MDC_RUN_ID} and the step id in {@value #MDC_STEP_ID} while the line is
 * written. Failures, time-outs, exhausted budgets and aborts log at WARN, the rest at INFO.
 * Messages come from events, whose texts are already redacted. Stateless and thread-safe.
 */
public final class Slf4jRollbackListener implements RollbackListener {
    /** The MDC key of the run id. */
    public static final String MDC_RUN_ID = "rollback.runId";
    /** The MDC key of the step id. */
    public static final String MDC_STEP_ID = "rollback.stepId";

    private final Logger log;

    /** Logs to {@code dev.rollback.run}. */
    public Slf4jRollbackListener() {
        this(LoggerFactory.getLogger("dev.rollback.run"));
    }

    /** Logs to {@code logger}. */
    public Slf4jRollbackListener(Logger logger) {
        this.log = Objects.requireNonNull(logger, "logger");
    }

    @Override
    public void onEvent(RollbackEvent event) {
        String step = stepOf(event);
        MDC.put(MDC_RUN_ID, event.runId());
        if (step != null) {
            MDC.put(MDC_STEP_ID, step);
        }
        try {
            write(event);
        } finally {
            MDC.remove(MDC_RUN_ID);
            MDC.remove(MDC_STEP_ID);
        }
    }

    private void write(RollbackEvent event) {
        if (event instanceof RunStarted e) {
            log.info(
                    "{} of plan '{}' started by {} {}",
                    e.dryRun() ? "dry run" : "run",
                    e.planName(),
                    e.initiator().kind(),
                    e.initiator().principal());
        } else if (event instanceof StepStarted e) {
            log.info(
                    "step '{}' ({}) attempt {} started; deadline {}",
                    e.stepId(),
                    e.component(),
                    e.attempt(),
                    e.deadline());
        } else if (event instanceof StepRetrying e) {
            log.warn(
                    "step '{}' attempt {} failed transiently ({}); retrying in {}",
                    e.stepId(),
                    e.failedAttempt(),
                    e.failure(),
                    e.backoff());
        } else if (event instanceof StepStalled e) {
            log.warn(
                    "step '{}' attempt {} stalled: no progress for {}{}; interrupting it",
                    e.stepId(),
                    e.attempt(),
                    e.silentFor(),
                    e.lastProgress().map(p -> " since '" + p + "'").orElse(", none reported"));
        } else if (event instanceof StepReconciled e) {
            log.warn(
                    "step '{}' attempt {}: outcome indeterminate ({}); reconciled by reading state: {} ({})",
                    e.stepId(),
                    e.attempt(),
                    e.indeterminate(),
                    e.verdict(),
                    e.explanation());
        } else if (event instanceof StepSucceeded e) {
            log.info("step '{}' succeeded in {} after {} attempt(s)", e.stepId(), e.duration(), e.attempts());
        } else if (event instanceof StepFailed e) {
            log.warn("step '{}' failed after {} attempt(s): {}", e.stepId(), e.attempts(), e.failure());
        } else if (event instanceof StepTimedOut e) {
            log.warn("step '{}' timed out after its budget of {}", e.stepId(), e.budget());
        } else if (event instanceof StepSkipped e) {
            log.info("step '{}' skipped: {}", e.stepId(), e.reason());
        } else if (event instanceof VerificationPassed e) {
            log.info(
                    "verification '{}' of {} passed: {}",
                    e.verification().name(),
                    e.stepId(),
                    e.verification().observed());
        } else if (event instanceof VerificationFailed e) {
            log.warn(
                    "verification '{}' of {} failed: expected {}, observed {}",
                    e.verification().name(),
                    e.stepId(),
                    e.verification().checked(),
                    e.verification().observed());
        } else if (event instanceof BudgetExceeded e) {
            log.warn("RTO budget of {} ({}) exceeded", e.component(), e.budget());
        } else if (event instanceof RunAborted e) {
            log.warn("run aborted by {}: {}", e.who(), e.reason());
        } else if (event instanceof RunFinished e) {
            log.info("run finished {} in {}", e.outcome(), e.duration());
        }
    }

    private static String stepOf(RollbackEvent event) {
        if (event instanceof StepStarted e) {
            return e.stepId();
        } else if (event instanceof StepRetrying e) {
            return e.stepId();
        } else if (event instanceof StepSucceeded e) {
            return e.stepId();
        } else if (event instanceof StepFailed e) {
            return e.stepId();
        } else if (event instanceof StepTimedOut e) {
            return e.stepId();
        } else if (event instanceof StepStalled e) {
            return e.stepId();
        } else if (event instanceof StepReconciled e) {
            return e.stepId();
        } else if (event instanceof StepSkipped e) {
            return e.stepId();
        } else if (event instanceof VerificationPassed e) {
            return e.stepId();
        } else if (event instanceof VerificationFailed e) {
            return e.stepId();
        }
        return null;
    }
}
