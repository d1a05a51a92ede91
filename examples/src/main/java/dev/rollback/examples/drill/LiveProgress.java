package dev.rollback.examples.drill;

import dev.rollback.api.RollbackPlan;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepFailed;
import dev.rollback.api.event.StepSkipped;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.event.VerificationFailed;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The drill's live view: one line per step as it starts and as it ends, with what is left of its
 * component's RTO budget at that moment. Thread-safe (steps end on many threads).
 */
final class LiveProgress implements RollbackListener {
    private final PrintStream out;
    private final long began;
    private final Map<String, Duration> budgets = new ConcurrentHashMap<>();
    private final Map<String, Instant> runStarts = new ConcurrentHashMap<>();
    private final Map<String, String> components = new ConcurrentHashMap<>();

    /** Prints to {@code out}, each line with the seconds since {@code began} (a {@link System#nanoTime()}). */
    LiveProgress(PrintStream out, long began) {
        this.out = out;
        this.began = began;
    }

    /** Learns the components' RTOs of a plan the drill may run. */
    LiveProgress budgetsOf(RollbackPlan plan) {
        plan.components().forEach((component, objectives) -> budgets.put(component, objectives.rto()));
        return this;
    }

    @Override
    public void onRunStarted(RunStarted e) {
        runStarts.put(e.runId(), e.at());
        line(
                "run %s of '%s' started by %s",
                e.runId(), e.planName(), e.initiator().principal());
    }

    @Override
    public void onStepStarted(StepStarted e) {
        components.put(key(e.runId(), e.stepId()), e.component());
        line("  ▶ %-34s %-14s %s left", e.stepId(), e.component(), left(e.runId(), e.component(), e.at()));
    }

    @Override
    public void onStepSucceeded(StepSucceeded e) {
        String component = components.getOrDefault(key(e.runId(), e.stepId()), "?");
        line(
                "  ✓ %-34s %-14s %s left (took %s)",
                e.stepId(), component, left(e.runId(), component, e.at()), human(e.duration()));
    }

    @Override
    public void onStepFailed(StepFailed e) {
        line("  ✗ %-34s FAILED: %s", e.stepId(), e.failure());
    }

    @Override
    public void onStepTimedOut(StepTimedOut e) {
        line("  ✗ %-34s TIMED OUT after %s", e.stepId(), human(e.budget()));
    }

    @Override
    public void onStepSkipped(StepSkipped e) {
        line("  - %-34s skipped: %s", e.stepId(), e.reason());
    }

    @Override
    public void onVerificationFailed(VerificationFailed e) {
        line(
                "    verification %s FAILED: expected %s, observed %s",
                e.verification().name(),
                e.verification().checked(),
                e.verification().observed());
    }

    @Override
    public void onRunFinished(RunFinished e) {
        line("run %s %s in %s", e.runId(), e.outcome(), human(e.duration()));
    }

    private String left(String runId, String component, Instant at) {
        Duration budget = budgets.get(component);
        Instant start = runStarts.get(runId);
        if (budget == null || start == null) {
            return "?";
        }
        Duration left = budget.minus(Duration.between(start, at));
        return left.isNegative() ? "-" + human(left.negated()) : human(left);
    }

    private static String key(String runId, String stepId) {
        return runId + '/' + stepId;
    }

    private void line(String format, Object... args) {
        synchronized (out) {
            Object[] all = new Object[args.length + 1];
            all[0] = (System.nanoTime() - began) / 1e9;
            System.arraycopy(args, 0, all, 1, args.length);
            out.printf(Locale.ROOT, "[drill %5.1fs] " + format + "%n", all);
        }
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%d min %02d s", ms / 60_000, (ms / 1000) % 60);
    }
}
