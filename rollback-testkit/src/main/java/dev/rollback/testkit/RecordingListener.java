package dev.rollback.testkit;

import dev.rollback.api.event.BudgetExceeded;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunAborted;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepFailed;
import dev.rollback.api.event.StepProgress;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.event.StepSkipped;
import dev.rollback.api.event.StepStalled;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.event.VerificationFailed;
import dev.rollback.api.event.VerificationPassed;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link RollbackListener} that records every event, for tests that assert what a run went
 * through:
 *
 * <pre>{@code
 * RecordingListener events = new RecordingListener();
 * ... executor with events as listener ...
 * events.assertSequence("RunStarted", "StepStarted swap", "StepSucceeded swap", "RunFinished SUCCEEDED");
 * events.assertPaired();
 * }</pre>
 *
 * <p>Each event is also described in one short line ({@link #describe(RollbackEvent)}): its type,
 * then its step id (or the run's outcome, or the verification's name). Progress reports are events
 * too ({@code "StepProgress dump"}, one per {@code StepContext.progress} call; read what they said
 * with {@code eventsOf(StepProgress.class)}). Thread-safe.
 */
public final class RecordingListener implements RollbackListener {
    private final List<RollbackEvent> events = new ArrayList<>();

    @Override
    public void onEvent(RollbackEvent event) {
        synchronized (events) {
            events.add(Objects.requireNonNull(event, "event"));
        }
    }

    /** Every event so far, in the order received. */
    public List<RollbackEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The events of {@code type}, in order. */
    public <E extends RollbackEvent> List<E> eventsOf(Class<E> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The {@link #describe(RollbackEvent) descriptions} of every event so far. */
    public List<String> sequence() {
        return events().stream().map(RecordingListener::describe).toList();
    }

    /**
     * Asserts that the events so far are exactly {@code expected}, described as by
     * {@link #describe(RollbackEvent)}.
     *
     * @throws AssertionError showing both sequences
     */
    public void assertSequence(String... expected) {
        List<String> actual = sequence();
        if (!actual.equals(List.of(expected))) {
            throw new AssertionError("expected events\n  " + String.join("\n  ", expected) + "\nbut were\n  "
                    + String.join("\n  ", actual));
        }
    }

    /**
     * Asserts that events pair up as the listener contract says: every run start has one end
     * (finished) and every step attempt that started ended (succeeded, failed, timed out or retrying)
     * before the run finished; a step's progress and stall come only while one of its attempts is open.
     *
     * @throws AssertionError naming the first unpaired event
     */
    public void assertPaired() {
        int openRuns = 0;
        List<String> openSteps = new ArrayList<>();
        for (RollbackEvent e : events()) {
            if (e instanceof RunStarted) {
                openRuns++;
            } else if (e instanceof RunFinished) {
                if (!openSteps.isEmpty()) {
                    throw new AssertionError(
                            "run " + e.runId() + " finished while steps " + openSteps + " had no end event");
                }
                openRuns--;
            } else if (e instanceof StepStarted s) {
                openSteps.add(s.stepId());
            } else if (e instanceof StepSucceeded s) {
                close(openSteps, s.stepId(), e);
            } else if (e instanceof StepFailed s) {
                close(openSteps, s.stepId(), e);
            } else if (e instanceof StepTimedOut s) {
                close(openSteps, s.stepId(), e);
            } else if (e instanceof StepStalled s && !openSteps.contains(s.stepId())) {
                throw new AssertionError(e + " came while step '" + s.stepId() + "' had no open attempt");
            } else if (e instanceof StepProgress s && !openSteps.contains(s.stepId())) {
                throw new AssertionError(e + " came while step '" + s.stepId() + "' had no open attempt");
            } else if (e instanceof StepRetrying s) {
                close(openSteps, s.stepId(), e);
            }
        }
        if (openRuns != 0) {
            throw new AssertionError(openRuns + " run(s) started without a RunFinished event: " + sequence());
        }
    }

    /** Forgets every event recorded so far. */
    public void clear() {
        synchronized (events) {
            events.clear();
        }
    }

    /**
     * One short line for {@code event}: its type's simple name followed by the step id (step
     * events), the outcome (RunFinished), the step id and verification name (verification events),
     * the component (BudgetExceeded), or who aborted (RunAborted).
     */
    public static String describe(RollbackEvent event) {
        String type = event.getClass().getSimpleName();
        if (event instanceof StepStarted e) {
            return type + " " + e.stepId();
        } else if (event instanceof StepSucceeded e) {
            return type + " " + e.stepId();
        } else if (event instanceof StepFailed e) {
            return type + " " + e.stepId();
        } else if (event instanceof StepTimedOut e) {
            return type + " " + e.stepId();
        } else if (event instanceof StepRetrying e) {
            return type + " " + e.stepId();
        } else if (event instanceof StepProgress e) {
            return type + " " + e.stepId();
        } else if (event instanceof StepSkipped e) {
            return type + " " + e.stepId();
        } else if (event instanceof VerificationPassed e) {
            return type + " " + e.stepId() + " " + e.verification().name();
        } else if (event instanceof VerificationFailed e) {
            return type + " " + e.stepId() + " " + e.verification().name();
        } else if (event instanceof RunFinished e) {
            return type + " " + e.outcome();
        } else if (event instanceof RunAborted e) {
            return type + " " + e.who();
        } else if (event instanceof BudgetExceeded e) {
            return type + " " + e.component();
        }
        return type;
    }

    private static void close(List<String> open, String stepId, RollbackEvent end) {
        if (!open.remove(stepId)) {
            throw new AssertionError(describe(end) + " has no StepStarted before it");
        }
    }
}
