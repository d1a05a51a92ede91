package dev.rollback.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakesAndRecordingListenerTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
    private final ManualClock clock = ManualClock.startingAt(T);

    /** A minimal context: the executor is not what these tests are about. */
    private StepContext context(int attempt, Map<String, String> evidence) {
        return new StepContext() {
            public String runId() {
                return "run-1";
            }

            public String planName() {
                return "plan";
            }

            public String stepId() {
                return "swap";
            }

            public String component() {
                return "app-service";
            }

            public int attempt() {
                return attempt;
            }

            public Instant deadline() {
                return T.plusSeconds(60);
            }

            public Duration remaining() {
                return Duration.ofSeconds(60);
            }

            public long fencingToken() {
                return 9;
            }

            public RollbackClock clock() {
                return clock;
            }

            public boolean dryRun() {
                return false;
            }

            public Initiator initiator() {
                return Initiator.manual("ops");
            }

            public void evidence(String key, String value) {
                evidence.put(key, value);
            }

            public Optional<String> evidenceOf(String stepId, String key) {
                return Optional.empty();
            }

            public boolean stopRequested() {
                return false;
            }

            public void progress(String what) {}

            public void checkpoint() {}
        };
    }

    @Test
    void aStepThatFailsTransientlyTwiceSucceedsTheThirdTimeAndRecordsEachExecution() throws Exception {
        FakeStep step = FakeStep.builder("swap", "app-service")
                .failTransiently(2)
                .evidence("slot", "staging")
                .build();
        Map<String, String> evidence = new HashMap<>();
        assertThatThrownBy(() -> step.execute(context(1, evidence))).isInstanceOf(TransientFailureException.class);
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> step.execute(context(2, evidence))).isInstanceOf(TransientFailureException.class);
        step.execute(context(3, evidence));
        assertThat(step.executions()).extracting(FakeStep.Execution::attempt).containsExactly(1, 2, 3);
        assertThat(step.executions().get(1).startedAt()).isEqualTo(T.plusSeconds(2));
        assertThat(step.executions())
                .allSatisfy(e -> assertThat(e.fencingToken()).isEqualTo(9));
        assertThat(evidence).containsEntry("slot", "staging");
    }

    @Test
    void aHangingStepStopsOnlyWhenInterrupted() throws Exception {
        FakeStep step = FakeStep.builder("drain", "queue").hang().build();
        Thread[] runner = new Thread[1];
        CompletableFuture<Void> done = new CompletableFuture<>();
        runner[0] = new Thread(() -> {
            try {
                step.execute(context(1, new HashMap<>()));
                done.complete(null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
        runner[0].start();
        Thread.sleep(100);
        assertThat(done).isNotDone();
        runner[0].interrupt();
        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void aVerifierFailsItsFirstCallsThenPasses() {
        FakeVerifier health = FakeVerifier.failingTimes("health", 1, "503");
        assertThat(health.verify(context(1, new HashMap<>())).passed()).isFalse();
        assertThat(health.verify(context(1, new HashMap<>())).passed()).isTrue();
        assertThat(health.calls()).isEqualTo(2);
    }

    @Test
    void theRecordingListenerAssertsSequencesAndPairing() {
        RecordingListener events = new RecordingListener();
        events.dispatch(new RunStarted("run-1", T, "plan", Initiator.manual("ops"), false));
        events.dispatch(new StepStarted("run-1", T, "swap", "app-service", 1, T.plusSeconds(60)));
        events.dispatch(new StepSucceeded("run-1", T, "swap", 1, Duration.ofSeconds(1)));
        events.dispatch(new RunFinished("run-1", T, RunOutcome.SUCCEEDED, Duration.ofSeconds(1)));
        events.assertSequence("RunStarted", "StepStarted swap", "StepSucceeded swap", "RunFinished SUCCEEDED");
        events.assertPaired();
        assertThat(events.eventsOf(StepStarted.class))
                .singleElement()
                .extracting(StepStarted::attempt)
                .isEqualTo(1);
        assertThatThrownBy(() -> events.assertSequence("RunStarted")).hasMessageContaining("but were");

        RecordingListener unpaired = new RecordingListener();
        unpaired.dispatch(new RunStarted("run-2", T, "plan", Initiator.manual("ops"), false));
        unpaired.dispatch(new StepStarted("run-2", T, "swap", "app-service", 1, T.plusSeconds(60)));
        unpaired.dispatch(new RunFinished("run-2", T, RunOutcome.FAILED, Duration.ZERO));
        assertThatThrownBy(unpaired::assertPaired).hasMessageContaining("steps [swap] had no end event");
    }
}
