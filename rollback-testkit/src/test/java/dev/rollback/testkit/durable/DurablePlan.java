package dev.rollback.testkit.durable;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.StepContext;
import dev.rollback.testkit.fault.LedgerEntry;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The plans {@link DurableRunNode} runs, each of five steps or fewer, whose steps record every
 * execution in a {@link SideEffectLedger} (the external truth the tests and the steps' own
 * {@code tookEffect} checks read). The test and the node share these definitions, so the test
 * knows each step's kind without repeating it.
 */
enum DurablePlan {
    /** backup, then restore, then flush-cache and warm-cache in parallel, then announce. */
    SERIAL(
            new StepSpec("backup", Kind.SAFEGUARD),
            new StepSpec("restore", Kind.DESTRUCTIVE, "backup"),
            new StepSpec("flush-cache", Kind.IDEMPOTENT, "restore"),
            new StepSpec("warm-cache", Kind.IDEMPOTENT, "restore"),
            new StepSpec("announce", Kind.UNCHECKABLE, "flush-cache", "warm-cache")),
    /** backup and drain-traffic in parallel, then restore, then undrain-traffic and record-change in parallel. */
    FAN_IN(
            new StepSpec("backup", Kind.SAFEGUARD),
            new StepSpec("drain-traffic", Kind.IDEMPOTENT),
            new StepSpec("restore", Kind.DESTRUCTIVE, "backup", "drain-traffic"),
            new StepSpec("undrain-traffic", Kind.IDEMPOTENT, "restore"),
            new StepSpec("record-change", Kind.CHECKED, "restore")),
    /** backup, then restore, then verify-login, which fails with the database password in its message. */
    LEAKY_LOGIN(
            new StepSpec("backup", Kind.SAFEGUARD),
            new StepSpec("restore", Kind.DESTRUCTIVE, "backup"),
            new StepSpec("verify-login", Kind.LEAKS_PASSWORD, "restore"));

    /** The environment variable the password of {@link #LEAKY_LOGIN} is read from, as an application would. */
    static final String PASSWORD_VARIABLE = "ROLLBACK_DB_PASSWORD";
    /** How long each step works, so that a random kill can land inside one. */
    private static final Duration WORK = Duration.ofMillis(20);

    private final List<StepSpec> steps;

    DurablePlan(StepSpec... steps) {
        this.steps = List.of(steps);
    }

    /** What a step is to the executor, and how it knows after a crash whether it took effect. */
    enum Kind {
        /** An emergency backup: a safeguard, not idempotent, checks the ledger. */
        SAFEGUARD,
        /** A restore: destructive, not idempotent, checks the ledger. */
        DESTRUCTIVE,
        /** Safe to run again. */
        IDEMPOTENT,
        /** Not idempotent, checks the ledger. */
        CHECKED,
        /** Not idempotent and cannot tell whether it took effect (a message sent to a channel). */
        UNCHECKABLE,
        /** Not idempotent, checks the ledger, and always fails with the database password in its message. */
        LEAKS_PASSWORD
    }

    /** One step of a plan: its id, kind and dependencies. */
    record StepSpec(String id, Kind kind, String... dependsOn) {}

    List<StepSpec> steps() {
        return steps;
    }

    /** The ids of the steps that may take effect more than once per run. */
    String[] idempotentStepIds() {
        return steps.stream()
                .filter(s -> s.kind() == Kind.IDEMPOTENT)
                .map(StepSpec::id)
                .toArray(String[]::new);
    }

    /**
     * Builds the plan for one node: every step records STARTED and APPLIED in {@code ledger} as
     * {@code node}; the step named {@code holdStep} (if any) prints {@code "holding <step>"} after
     * STARTED and blocks until the process is killed.
     */
    RollbackPlan plan(SideEffectLedger ledger, String node, Optional<String> holdStep, PrintStream out) {
        RollbackPlan.Builder plan = RollbackPlan.builder(
                "durable-" + name().toLowerCase(Locale.ROOT),
                RecoveryObjectives.of(Duration.ofMinutes(2), Duration.ofMinutes(1)));
        for (StepSpec spec : steps) {
            LedgerStep step = new LedgerStep(
                    spec, ledger, node, holdStep.filter(spec.id()::equals).isPresent(), out);
            plan.step(step, s -> s.dependsOn(spec.dependsOn()).timeout(Duration.ofSeconds(30)));
        }
        return plan.build();
    }

    /** A step whose effect is one APPLIED line in the ledger. */
    private static final class LedgerStep implements RollbackStep {
        private final StepSpec spec;
        private final SideEffectLedger ledger;
        private final String node;
        private final boolean holds;
        private final PrintStream out;
        private final Optional<Secret> password;

        LedgerStep(StepSpec spec, SideEffectLedger ledger, String node, boolean holds, PrintStream out) {
            this.spec = spec;
            this.ledger = ledger;
            this.node = node;
            this.holds = holds;
            this.out = out;
            this.password = spec.kind() == Kind.LEAKS_PASSWORD
                    ? Optional.of(Secret.fromEnvironment(PASSWORD_VARIABLE))
                    : Optional.empty();
        }

        @Override
        public String id() {
            return spec.id();
        }

        @Override
        public String component() {
            return "db";
        }

        @Override
        public boolean idempotent() {
            return spec.kind() == Kind.IDEMPOTENT;
        }

        @Override
        public boolean destructive() {
            return spec.kind() == Kind.DESTRUCTIVE;
        }

        @Override
        public boolean safeguard() {
            return spec.kind() == Kind.SAFEGUARD;
        }

        @Override
        public void execute(StepContext context) throws Exception {
            record(context, LedgerEntry.Outcome.STARTED);
            if (holds) {
                out.println(DurableRunNode.HOLDING + spec.id());
                new CountDownLatch(1).await();
            }
            Thread.sleep(WORK.toMillis());
            if (password.isPresent()) {
                record(context, LedgerEntry.Outcome.FAILED);
                throw new IllegalStateException("the database refused the login of app with "
                        + password.get().reveal());
            }
            record(context, LedgerEntry.Outcome.APPLIED);
        }

        @Override
        public Optional<Boolean> tookEffect(StepContext context) {
            if (spec.kind() == Kind.UNCHECKABLE) {
                return Optional.empty();
            }
            return Optional.of(ledger.entries().stream()
                    .anyMatch(e -> e.runId().equals(context.runId())
                            && e.stepId().equals(spec.id())
                            && e.outcome() == LedgerEntry.Outcome.APPLIED));
        }

        private void record(StepContext context, LedgerEntry.Outcome outcome) {
            ledger.record(new LedgerEntry(
                    node,
                    context.runId(),
                    spec.id(),
                    context.fencingToken(),
                    context.attempt(),
                    outcome,
                    Instant.now(),
                    Optional.of(context.deadline())));
        }
    }
}
