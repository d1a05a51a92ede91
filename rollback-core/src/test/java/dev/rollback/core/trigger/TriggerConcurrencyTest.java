package dev.rollback.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Decision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TriggerConcurrencyTest {

    @Test
    void twoThreadsRecordingTenMillionEventsLoseNone() throws Exception {
        // Each thread fails one request in 1,000; both rules see the same window: any lost event changes the count.
        DecisionMatrix matrix = exactlyOrOneMore(10_000_000);
        Harness h = new Harness(matrix);
        CyclicBarrier start = new CyclicBarrier(2);
        Runnable recorder = () -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < 5_000_000; i++) {
                h.engine.recordRequest(3, TimeUnit.MILLISECONDS, i % 1000 != 0);
            }
        };
        Thread first = new Thread(recorder);
        Thread second = new Thread(recorder);
        first.start();
        second.start();
        first.join();
        second.join();

        h.engine.evaluate();

        // 10,000,000 requests: enough for the first rule, one short of the second
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);
        assertThat(h.engine.state("errors-one-more")).isEqualTo(RuleState.HEALTHY);
        h.engine.recordRequest(3, TimeUnit.MILLISECONDS, false);
        h.engine.evaluate();
        // 10,001 failures in 10,000,001 requests: just above 0.1%; any lost failure or request would change that
        assertThat(h.decisions)
                .extracting(d -> d.rule() + "=" + d.observed())
                .containsExactlyInAnyOrder(
                        "errors=" + 10_001 / 10_000_001.0, "errors-one-more=" + 10_001 / 10_000_001.0);
    }

    @Test
    void aStartedEngineOnTheSystemClockRecordsThroughTheFastPathAcrossSlotsAndLosesNothing() throws Exception {
        // The same exact-count check, on the system clock with 100 ms slots: the ticker opens and
        // closes the fast path at every slot while both threads record.
        DecisionMatrix matrix = exactlyOrOneMore(4_000_000);
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        try (TriggerEngine engine = TriggerEngine.builder()
                .matrix(matrix)
                .resolution(Duration.ofMillis(100))
                .evaluationInterval(Duration.ofHours(1))
                .onDecision(decisions::add)
                .build()) {
            engine.start();
            CyclicBarrier start = new CyclicBarrier(2);
            Runnable recorder = () -> {
                try {
                    start.await();
                    for (int chunk = 0; chunk < 10; chunk++) {
                        for (int i = 0; i < 200_000; i++) {
                            engine.recordRequest(3, TimeUnit.MILLISECONDS, i % 1000 != 0);
                        }
                        Thread.sleep(35); // 10 x 35 ms: the recording spans at least three slot boundaries
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Thread first = new Thread(recorder);
            Thread second = new Thread(recorder);
            first.start();
            second.start();
            first.join();
            second.join();

            engine.evaluate();
            assertThat(engine.state("errors")).isEqualTo(RuleState.HEALTHY);
            assertThat(engine.state("errors-one-more")).isEqualTo(RuleState.HEALTHY);
            engine.recordRequest(3, TimeUnit.MILLISECONDS, false);
            engine.evaluate();

            assertThat(decisions)
                    .extracting(d -> d.rule() + "=" + d.observed())
                    .containsExactlyInAnyOrder(
                            "errors=" + 4_001 / 4_000_001.0, "errors-one-more=" + 4_001 / 4_000_001.0);
            assertThat(engine.slotTicker())
                    .hasValueSatisfying(t -> assertThat(t.opens()).isGreaterThanOrEqualTo(3));
        }
    }

    /**
     * Two error-rate rules over one minute, one needing {@code requests} requests and one needing
     * one more: after exactly that many, the first sees data and the second does not, so a single
     * lost or extra request changes what they decide.
     */
    private static DecisionMatrix exactlyOrOneMore(long requests) {
        return DecisionMatrix.custom()
                .addRule(TriggerRule.custom()
                        .name("errors")
                        .signal(Signal.ERROR_RATE)
                        .above(0.001)
                        .window(Duration.ofMinutes(1))
                        .minimumEvents(requests)
                        .action("a")
                        .build())
                .addRule(TriggerRule.custom()
                        .name("errors-one-more")
                        .signal(Signal.ERROR_RATE)
                        .above(0.001)
                        .window(Duration.ofMinutes(1))
                        .minimumEvents(requests + 1)
                        .noData(NoDataPolicy.PASSING)
                        .action("b")
                        .build())
                .build();
    }
}
