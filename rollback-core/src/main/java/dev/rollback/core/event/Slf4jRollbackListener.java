package dev.rollback.core.event;

import dev.rollback.api.event.BudgetExceeded;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunAborted;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepFailed;
import dev.rollback.api.event.StepProgress;
import dev.rollback.api.event.StepReconciled;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.event.StepSkipped;
import dev.rollback.api.event.StepStalled;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.event.VerificationFailed;
import dev.rollback.api.event.VerificationPassed;
import dev.rollback.api.internal.SafeText;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Logs every event of every run through SLF4J (logger {@code dev.rollback.run}), with the run id
 * in the MDC key {@value #MDC_RUN_ID}, the step id in {@value #MDC_STEP_ID} and the attempt in
 * {@value #MDC_ATTEMPT} while the line is written; what the thread had under those keys before (the
 * executor puts them there for the whole attempt on the step's thread) is put back after. Failures,
 * time-outs, exhausted budgets and aborts log at WARN, the rest at INFO. Every free text (principal,
 * reason, failure, observation) is redacted and has its control characters escaped by the library's
 * one escaping rule before it reaches the line, so no input can forge a log line.
 *
 * <p><b>Progress</b> ({@link StepProgress}) is thinned out: the first report of each attempt is
 * logged, then at most one line per step every {@link #Slf4jRollbackListener(Logger, Duration)
 * progress interval} (10 seconds by default) of the events' own time, saying how many reports it
 * stood for; a twenty-minute dump that reports every megabyte writes about 120 lines, not 20,000.
 *
 * <p>Thread-safe. It keeps one small entry per step that reported progress, dropped when the step
 * ends or its run finishes.
 */
public final class Slf4jRollbackListener implements RollbackListener {
    /** The MDC key of the run id. */
    public static final String MDC_RUN_ID = "rollback.runId";
    /** The MDC key of the step id. */
    public static final String MDC_STEP_ID = "rollback.stepId";
    /** The MDC key of the attempt number, from 1. */
    public static final String MDC_ATTEMPT = "rollback.attempt";
    /** The default least time between two progress lines of one step. */
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(10);

    private final Logger log;
    private final long progressIntervalNanos;
    private final Map<String, Throttle> progress = new ConcurrentHashMap<>();

    /** Logs to {@code dev.rollback.run}, progress at most every 10 seconds per step. */
    public Slf4jRollbackListener() {
        this(LoggerFactory.getLogger("dev.rollback.run"));
    }

    /** Logs to {@code logger}, progress at most every 10 seconds per step. */
    public Slf4jRollbackListener(Logger logger) {
        this(logger, DEFAULT_PROGRESS_INTERVAL);
    }

    /**
     * Logs to {@code logger}, progress at most once every {@code progressInterval} per step (zero logs
     * every report).
     *
     * @throws IllegalArgumentException if {@code progressInterval} is negative
     */
    public Slf4jRollbackListener(Logger logger, Duration progressInterval) {
        this.log = Objects.requireNonNull(logger, "logger");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (progressInterval.isNegative()) {
            throw new IllegalArgumentException("progressInterval must not be negative, but was " + progressInterval);
        }
        this.progressIntervalNanos = progressInterval.toNanos();
    }

    @Override
    public void onEvent(RollbackEvent event) {
        String step = stepOf(event);
        int attempt = attemptOf(event);
        String previousRun = MDC.get(MDC_RUN_ID);
        String previousStep = MDC.get(MDC_STEP_ID);
        String previousAttempt = MDC.get(MDC_ATTEMPT);
        MDC.put(MDC_RUN_ID, SafeText.escape(event.runId()));
        if (step != null) {
            MDC.put(MDC_STEP_ID, SafeText.escape(step));
        } else {
            MDC.remove(MDC_STEP_ID);
        }
        if (attempt > 0) {
            MDC.put(MDC_ATTEMPT, Integer.toString(attempt));
        } else {
            MDC.remove(MDC_ATTEMPT);
        }
        try {
            write(event);
        } finally {
            restore(MDC_RUN_ID, previousRun);
            restore(MDC_STEP_ID, previousStep);
            restore(MDC_ATTEMPT, previousAttempt);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private void write(RollbackEvent event) {
        if (event instanceof StepProgress e) {
            writeProgress(e);
        } else if (event instanceof RunStarted e) {
            log.info(
                    "{} of plan '{}' started by {} {}",
                    e.dryRun() ? "dry run" : "run",
                    t(e.planName()),
                    e.initiator().kind(),
                    t(e.initiator().principal()));
        } else if (event instanceof StepStarted e) {
            log.info(
                    "step '{}' ({}) attempt {} started; deadline {}",
                    e.stepId(),
                    t(e.component()),
                    e.attempt(),
                    e.deadline());
        } else if (event instanceof StepRetrying e) {
            log.warn(
                    "step '{}' attempt {} failed transiently ({}); retrying in {}",
                    e.stepId(),
                    e.failedAttempt(),
                    t(e.failure()),
                    e.backoff());
        } else if (event instanceof StepStalled e) {
            log.warn(
                    "step '{}' attempt {} stalled: no progress for {}{}; interrupting it",
                    e.stepId(),
                    e.attempt(),
                    e.silentFor(),
                    e.lastProgress().map(p -> " since '" + t(p) + "'").orElse(", none reported"));
        } else if (event instanceof StepReconciled e) {
            log.warn(
                    "step '{}' attempt {}: outcome indeterminate ({}); reconciled by reading state: {} ({})",
                    e.stepId(),
                    e.attempt(),
                    t(e.indeterminate()),
                    e.verdict(),
                    t(e.explanation()));
        } else if (event instanceof StepSucceeded e) {
            log.info("step '{}' succeeded in {} after {} attempt(s)", e.stepId(), e.duration(), e.attempts());
        } else if (event instanceof StepFailed e) {
            log.warn("step '{}' failed after {} attempt(s): {}", e.stepId(), e.attempts(), t(e.failure()));
        } else if (event instanceof StepTimedOut e) {
            log.warn("step '{}' timed out after its budget of {}", e.stepId(), e.budget());
        } else if (event instanceof StepSkipped e) {
            log.info("step '{}' skipped: {}", e.stepId(), t(e.reason()));
        } else if (event instanceof VerificationPassed e) {
            log.info(
                    "verification '{}' of {} passed: {}",
                    t(e.verification().name()),
                    e.stepId(),
                    t(e.verification().observed()));
        } else if (event instanceof VerificationFailed e) {
            log.warn(
                    "verification '{}' of {} failed: expected {}, observed {}",
                    t(e.verification().name()),
                    e.stepId(),
                    t(e.verification().checked()),
                    t(e.verification().observed()));
        } else if (event instanceof BudgetExceeded e) {
            log.warn("RTO budget of {} ({}) exceeded", t(e.component()), e.budget());
        } else if (event instanceof RunAborted e) {
            log.warn("run aborted by {}: {}", t(e.who()), t(e.reason()));
        } else if (event instanceof RunFinished e) {
            progress.keySet().removeIf(key -> key.startsWith(e.runId() + '\u0000'));
            log.info("run finished {} in {}", e.outcome(), e.duration());
        }
        if (event instanceof StepSucceeded
                || event instanceof StepFailed
                || event instanceof StepTimedOut
                || event instanceof StepSkipped) {
            progress.remove(event.runId() + '\u0000' + stepOf(event));
        }
    }

    private void writeProgress(StepProgress e) {
        Throttle throttle = progress.computeIfAbsent(e.runId() + '\u0000' + e.stepId(), k -> new Throttle());
        int stoodFor = throttle.admit(e.attempt(), e.at(), progressIntervalNanos);
        if (stoodFor == 1) {
            log.info("step '{}' attempt {}: {}", e.stepId(), e.attempt(), e.what());
        } else if (stoodFor > 1) {
            log.info(
                    "step '{}' attempt {}: {} ({} progress reports since the last line)",
                    e.stepId(),
                    e.attempt(),
                    e.what(),
                    stoodFor);
        }
    }

    /** When a step's last progress line was written, and how many reports came since. */
    private static final class Throttle {
        private int attempt;
        private Instant lastLine;
        private int unlogged;

        /** How many reports the line written now stands for, or 0 when none is written now. */
        synchronized int admit(int reportAttempt, Instant at, long intervalNanos) {
            if (lastLine == null || reportAttempt != attempt) {
                // the first report of an attempt is always written
                attempt = reportAttempt;
                lastLine = at;
                unlogged = 0;
                return 1;
            }
            unlogged++;
            if (Duration.between(lastLine, at).toNanos() < intervalNanos) {
                return 0;
            }
            lastLine = at;
            int stoodFor = unlogged;
            unlogged = 0;
            return stoodFor;
        }
    }

    private static int attemptOf(RollbackEvent event) {
        if (event instanceof StepStarted e) {
            return e.attempt();
        } else if (event instanceof StepProgress e) {
            return e.attempt();
        } else if (event instanceof StepStalled e) {
            return e.attempt();
        } else if (event instanceof StepRetrying e) {
            return e.failedAttempt();
        }
        return 0;
    }

    /** A free text for a log line: redacted, control characters escaped. */
    private static String t(String text) {
        return SafeText.of(text);
    }

    private static String stepOf(RollbackEvent event) {
        if (event instanceof StepStarted e) {
            return e.stepId();
        } else if (event instanceof StepProgress e) {
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
