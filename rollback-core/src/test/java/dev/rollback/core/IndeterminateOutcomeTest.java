package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.StepReconciled;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.journal.FileJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the executor does with an attempt whose call may or may not have taken effect: it never
 * re-sends it blindly; it asks the step to read state (the check resume uses too), journals and
 * announces the verdict, and acts on it: done, tried again within the retry settings and the
 * deadline, or a human decision naming the step.
 */
class IndeterminateOutcomeTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final RecoveryObjectives BUDGET = RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ZERO);
    private static final RetrySettings THREE_QUICK_ATTEMPTS = RetrySettings.custom()
            .maxAttempts(3)
            .initialBackoff(Duration.ofMillis(100))
            .jitter(0)
            .build();

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);
    private final RecordingListener events = new RecordingListener();

    /**
     * A toggle on a remote system (a slot swap, a reboot): every call that reaches the "server" flips
     * it. {@code lostAnswers} calls lose their answer after the flip; {@code lostRequests} calls are
     * lost before it. Its check reads the toggle as a provider reads the resource.
     */
    private static final class Toggle implements RollbackStep {
        final AtomicInteger flips = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger checks = new AtomicInteger();
        private final int lostRequests;
        private final int lostAnswers;
        private final Function<Integer, Optional<Boolean>> check;
        private final boolean idempotent;

        Toggle(int lostRequests, int lostAnswers, Function<Integer, Optional<Boolean>> check, boolean idempotent) {
            this.lostRequests = lostRequests;
            this.lostAnswers = lostAnswers;
            this.check = check;
            this.idempotent = idempotent;
        }

        /** A toggle whose check reads the flip count: effect in place exactly when it flipped once. */
        static Toggle readable(int lostRequests, int lostAnswers) {
            return new Toggle(lostRequests, lostAnswers, flips -> Optional.of(flips == 1), false);
        }

        @Override
        public String id() {
            return "swap";
        }

        @Override
        public String component() {
            return "app";
        }

        @Override
        public boolean idempotent() {
            return idempotent;
        }

        @Override
        public boolean isTransient(Throwable failure) {
            return true; // even a step that calls everything transient must not have its doubt retried blindly
        }

        @Override
        public void execute(StepContext context) {
            int call = calls.incrementAndGet();
            if (call <= lostRequests) {
                throw new IndeterminateOutcomeException(
                        "POST /swap: the connection was reset after the request was sent",
                        new SocketException("Connection reset"));
            }
            flips.incrementAndGet();
            if (call <= lostRequests + lostAnswers) {
                // wrapped, as an SDK or a step's own mapping may wrap it
                throw new UncheckedIOException(
                        "swap call failed",
                        new IOException(new IndeterminateOutcomeException(
                                "POST /swap: the answer was lost after the request was sent")));
            }
        }

        @Override
        public Optional<Boolean> tookEffect(StepContext context) {
            checks.incrementAndGet();
            return check.apply(flips.get());
        }
    }

    private RollbackReport run(RollbackPlan plan, FileJournal journal) {
        try (RollbackExecutor executor = RollbackExecutor.builder()
                .clock(clock)
                .listener(events)
                .journal(journal)
                .build()) {
            return executor.run(plan, RunRequest.drill("test"));
        }
    }

    private RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).listener(events).build()) {
            return executor.run(plan, RunRequest.drill("test"));
        }
    }

    private static RollbackPlan plan(RollbackStep step, RetrySettings retry, Verifier... verifiers) {
        return RollbackPlan.builder("app-rollback", BUDGET)
                .step(step, s -> {
                    s.timeout(Duration.ofMinutes(2)).retry(retry);
                    for (Verifier v : verifiers) {
                        s.verifier(v);
                    }
                })
                .step(RollbackStep.builder("after", "app").idempotent(true).build(), s -> s.dependsOn("swap"))
                .build();
    }

    @Test
    void aLostAnswerThatTookEffectIsNotSentAgainAndTheStepSucceedsAfterItsVerifiers() throws Exception {
        Toggle toggle = Toggle.readable(0, 1);
        AtomicInteger verified = new AtomicInteger();
        Verifier servesPrevious = Verifier.of("serves-previous", ctx -> {
            verified.incrementAndGet();
            return Verification.passed("serves-previous", "the toggle flipped once", toggle.flips.get() + " flip(s)");
        });

        RollbackReport report;
        try (FileJournal journal = FileJournal.of(dir)) {
            report = run(plan(toggle, THREE_QUICK_ATTEMPTS, servesPrevious), journal);
            List<JournalRecord> swap = journal.records(report.runId()).stream()
                    .filter(r -> r.stepId().equals(Optional.of("swap")))
                    .toList();
            assertThat(swap)
                    .extracting(JournalRecord::type)
                    .containsExactly(
                            JournalRecord.Type.STEP_STARTED,
                            JournalRecord.Type.STEP_RECONCILED,
                            JournalRecord.Type.VERIFICATION,
                            JournalRecord.Type.STEP_FINISHED);
            assertThat(swap.get(1).data())
                    .containsEntry("attempt", "1")
                    .containsEntry("verdict", "TOOK_EFFECT")
                    .containsEntry("indeterminate", "POST /swap: the answer was lost after the request was sent");
            assertThat(journal.verify(report.runId()).orElseThrow().verified()).isTrue();
        }

        assertThat(toggle.calls).hasValue(1);
        assertThat(toggle.flips).hasValue(1);
        assertThat(verified).hasValue(1);
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        StepReport step = report.step("swap").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts()).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(a.failure())
                    .hasValueSatisfying(f -> assertThat(f)
                            .contains("outcome indeterminate: POST /swap: the answer was lost")
                            .contains("its own check says it took effect"));
        });
        assertThat(events.of(StepReconciled.class)).singleElement().satisfies(e -> {
            assertThat(e.stepId()).isEqualTo("swap");
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.verdict()).isEqualTo(StepReconciled.Verdict.TOOK_EFFECT);
        });
        assertThat(events.of(StepRetrying.class)).isEmpty();
    }

    @Test
    void aLostRequestThatDidNotTakeEffectIsTriedAgainWithinTheRetrySettingsAndTakesEffectOnce() {
        Toggle toggle = Toggle.readable(1, 0);

        RollbackReport report = run(plan(toggle, THREE_QUICK_ATTEMPTS));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(toggle.flips).hasValue(1);
        assertThat(toggle.calls).hasValue(2);
        StepReport step = report.step("swap").orElseThrow();
        assertThat(step.attempts())
                .extracting(Attempt::outcome)
                .containsExactly(StepOutcome.FAILED, StepOutcome.SUCCEEDED);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f)
                        .contains("reset after the request was sent")
                        .contains("did not take effect"));
        assertThat(events.of(StepReconciled.class))
                .extracting(StepReconciled::verdict)
                .containsExactly(StepReconciled.Verdict.DID_NOT_TAKE_EFFECT);
        assertThat(events.of(StepRetrying.class))
                .singleElement()
                .satisfies(r -> assertThat(r.failedAttempt()).isEqualTo(1));
    }

    @Test
    void aStepThatCannotTellEndsForAHumanNamingTheStepAndIsNeverSentAgain() throws Exception {
        Toggle toggle = new Toggle(0, 1, flips -> Optional.empty(), false);

        RollbackReport report;
        try (FileJournal journal = FileJournal.of(dir)) {
            report = run(plan(toggle, THREE_QUICK_ATTEMPTS), journal);
            assertThat(journal.records(report.runId()))
                    .filteredOn(r -> r.type() == JournalRecord.Type.STEP_RECONCILED)
                    .singleElement()
                    .satisfies(r -> assertThat(r.data()).containsEntry("verdict", "CANNOT_TELL"));
            assertThat(journal.records(report.runId()))
                    .filteredOn(r -> r.type() == JournalRecord.Type.STEP_FINISHED
                            && r.stepId().equals(Optional.of("swap")))
                    .singleElement()
                    .satisfies(r -> assertThat(r.data()).containsEntry("outcome", "HUMAN_DECISION_REQUIRED"));
        }

        assertThat(toggle.calls).hasValue(1);
        assertThat(toggle.flips).hasValue(1);
        assertThat(report.outcome()).isNotEqualTo(RunOutcome.SUCCEEDED);
        StepReport step = report.step("swap").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.HUMAN_DECISION_REQUIRED);
        assertThat(step.attempts())
                .singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo(StepOutcome.HUMAN_DECISION_REQUIRED));
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("step 'swap' of plan 'app-rollback' needs a human decision")
                        .contains("the answer was lost")
                        .contains("cannot tell whether it took effect")
                        .contains("component 'app'"));
        assertThat(report.step("after").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(report.step("after").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("needs a human decision"));
    }

    @Test
    void aCheckThatFailsCannotTellEither() {
        Toggle toggle = new Toggle(
                0,
                1,
                flips -> {
                    throw new TransientFailureException("reading the toggle failed: HTTP 503", null);
                },
                false);

        RollbackReport report = run(plan(toggle, THREE_QUICK_ATTEMPTS));

        StepReport step = report.step("swap").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.HUMAN_DECISION_REQUIRED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("its check of whether it took effect failed")
                        .contains("HTTP 503"));
        assertThat(toggle.calls).hasValue(1);
    }

    @Test
    void anIdempotentStepIsRepeatedWithoutAskingItsCheck() {
        Toggle toggle = new Toggle(1, 0, flips -> Optional.empty(), true);

        RollbackReport report = run(plan(toggle, THREE_QUICK_ATTEMPTS));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(toggle.checks).hasValue(0);
        assertThat(toggle.calls).hasValue(2);
        assertThat(events.of(StepReconciled.class))
                .extracting(StepReconciled::verdict)
                .containsExactly(StepReconciled.Verdict.REPEAT_IS_SAFE);
    }

    @Test
    void aStepThatDidNotTakeEffectIsNotTriedBeyondItsAttempts() {
        Toggle toggle = Toggle.readable(5, 0);

        RollbackReport report = run(plan(toggle, THREE_QUICK_ATTEMPTS));

        StepReport step = report.step("swap").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(toggle.calls).hasValue(3);
        assertThat(toggle.flips).hasValue(0);
        assertThat(step.reason())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("did not take effect").contains("after 3 attempts"));
    }

    @Test
    void aRepeatThatWouldStartPastTheDeadlineIsNotMade() {
        Toggle toggle = Toggle.readable(1, 0);
        RollbackPlan plan = RollbackPlan.builder("app-rollback", BUDGET)
                .step(
                        toggle,
                        s -> s.timeout(Duration.ofSeconds(1))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofSeconds(5))
                                        .jitter(0)
                                        .build()))
                .build();

        RollbackReport report = run(plan);

        assertThat(toggle.calls).hasValue(1);
        assertThat(report.step("swap").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("did not take effect")
                        .contains("past the deadline")
                        .contains("retries stopped"));
    }

    @Test
    void aStepThatSaysItNeedsAHumanIsNeverRetriedEvenIfItCallsEverythingTransient() {
        AtomicInteger calls = new AtomicInteger();
        RollbackStep step = new RollbackStep() {
            @Override
            public String id() {
                return "swap";
            }

            @Override
            public String component() {
                return "app";
            }

            @Override
            public boolean isTransient(Throwable failure) {
                return true;
            }

            @Override
            public void execute(StepContext context) {
                calls.incrementAndGet();
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED,
                        "the swap was accepted and still runs in Azure at the deadline; look at production");
            }
        };

        RollbackReport report = run(plan(step, THREE_QUICK_ATTEMPTS));

        assertThat(calls).hasValue(1);
        StepReport swap = report.step("swap").orElseThrow();
        assertThat(swap.outcome()).isEqualTo(StepOutcome.HUMAN_DECISION_REQUIRED);
        assertThat(swap.reason()).hasValueSatisfying(r -> assertThat(r).contains("look at production"));
    }
}
