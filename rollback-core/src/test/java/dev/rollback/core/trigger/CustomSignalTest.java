package dev.rollback.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An application's own signals: registered, recorded and evaluated as the built-in ones are. */
class CustomSignalTest {
    private static final CustomSignal PAYMENTS = CustomSignal.rate("payment-failures");
    private static final CustomSignal CHECKOUT = CustomSignal.latency("checkout-latency");
    private static final CustomSignal QUEUE = CustomSignal.gauge("queue-depth", "messages");

    private final ManualClock clock = ManualClock.startingAt(Instant.parse("2026-11-25T12:00:00Z"));

    private TriggerEngine engine(TriggerRule... rules) {
        DecisionMatrix.Builder matrix = DecisionMatrix.custom();
        for (TriggerRule rule : rules) {
            matrix.addRule(rule);
        }
        return TriggerEngine.builder().clock(clock).matrix(matrix.build()).build();
    }

    private static TriggerRule.Builder rule(String name, CustomSignal signal) {
        return TriggerRule.custom()
                .name(name)
                .signal(signal)
                .window(Duration.ofSeconds(10))
                .minimumEvents(10)
                .action("application-rollback");
    }

    @Test
    void aRuleOnACustomRateFiresAfterItsSustainAndNamesTheSignal() {
        TriggerEngine engine = engine(rule("payments", PAYMENTS)
                .above(0.05)
                .sustain(Duration.ofSeconds(3))
                .build());
        RateRecorder payments = engine.rate("payment-failures");
        List<Decision> decisions = new ArrayList<>();
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 100; i++) {
                payments.record(i >= 10); // 10% fail
            }
            clock.advance(Duration.ofSeconds(1));
            decisions.addAll(engine.evaluate());
            if (second < 3) {
                assertThat(decisions).as("second %d", second).isEmpty();
            }
        }

        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo("payments");
            assertThat(d.observed()).isEqualTo(0.1);
            assertThat(d.unit()).isEqualTo("ratio");
            assertThat(d.description()).isEqualTo("payment-failures 10% > 5% for 3s");
        });
        assertThat(engine.customSignals()).containsExactly(PAYMENTS);
    }

    @Test
    void aRuleOnACustomLatencyReadsItsStatisticAndTooFewEventsAreNoData() {
        TriggerEngine engine = engine(rule("slow-checkout", CHECKOUT)
                .above(Duration.ofSeconds(2))
                .statistic(LatencyStatistic.P95)
                .build());
        LatencyRecorder checkout = engine.latency("checkout-latency");
        for (int i = 0; i < 9; i++) {
            checkout.record(Duration.ofSeconds(3));
        }
        engine.evaluate();
        assertThat(engine.state("slow-checkout")).isEqualTo(RuleState.INSUFFICIENT_DATA);

        for (int i = 0; i < 91; i++) {
            checkout.record(i < 10 ? 3000 : 100, TimeUnit.MILLISECONDS);
        }
        List<Decision> decisions = engine.evaluate();

        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.observed()).isBetween(2.9, 3.1);
            assertThat(d.description()).startsWith("p95 checkout-latency ").endsWith(" s > 2 s");
        });
    }

    @Test
    void aCustomGaugeCountsItsLatestSampleInItsOwnUnitUntilItIsStale() {
        TriggerEngine engine = engine(rule("backlog", QUEUE).above(1000).build());
        GaugeRecorder queue = engine.gauge("queue-depth");
        queue.record(1500);

        assertThat(engine.evaluate())
                .singleElement()
                .satisfies(d -> assertThat(d.description()).isEqualTo("queue-depth 1500 messages > 1000 messages"));
        clock.advance(Duration.ofSeconds(11));
        engine.evaluate();
        assertThat(engine.observed("backlog"))
                .as("a sample older than the window is no data")
                .isEmpty();
    }

    @Test
    void aDeclaredSignalNoRuleWatchesCanBeRecorded() {
        TriggerEngine engine = TriggerEngine.builder()
                .clock(clock)
                .matrix(DecisionMatrix.ofDefaults())
                .signal(CustomSignal.rate("refunds"))
                .build();
        engine.rate("refunds").record(false);

        assertThat(engine.customSignals()).containsExactly(CustomSignal.rate("refunds"));
        assertThat(engine.evaluate()).isEmpty();
    }

    @Test
    void mistakesAreNamed() {
        TriggerEngine engine = engine(rule("payments", PAYMENTS).above(0.05).build());
        assertThatThrownBy(() -> engine.latency("payment-failures"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'payment-failures' is not a custom latency of this engine")
                .hasMessageContaining("payment-failures, RATE");
        assertThatThrownBy(() -> engine.rate("refunds")).hasMessageContaining("'refunds' is not a custom rate");
        assertThatThrownBy(() -> TriggerEngine.builder()
                        .clock(clock)
                        .matrix(DecisionMatrix.custom()
                                .addRule(rule("payments", PAYMENTS).above(0.05).build())
                                .build())
                        .signal(CustomSignal.gauge("payment-failures", "count"))
                        .build())
                .hasMessageContaining("custom signal 'payment-failures' is a GAUGE in count elsewhere, but a RATE");
        assertThatThrownBy(() -> CustomSignal.rate("error-rate"))
                .hasMessageContaining("must not be a built-in signal's");
        assertThatThrownBy(() -> TriggerRule.custom()
                        .name("x")
                        .signal(Signal.CUSTOM_RATE)
                        .above(0.1)
                        .action("a")
                        .build())
                .hasMessageContaining("needs the custom signal it stands for");
        assertThatThrownBy(() -> rule("too-high", PAYMENTS).above(2).build())
                .hasMessageContaining("must be at most 1.0 ratio, but was 2.0");
        assertThatThrownBy(() -> engine(rule("cpu", CustomSignal.gauge("cpu", "percent"))
                                .above(90)
                                .build())
                        .gauge("cpu")
                        .record(120))
                .hasMessage("a sample of cpu must be from 0 to 100.0 percent, but was 120.0");
    }
}
