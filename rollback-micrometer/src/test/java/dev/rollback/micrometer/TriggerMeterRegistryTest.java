package dev.rollback.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.RuleState;
import dev.rollback.core.trigger.Signal;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TriggerMeterRegistryTest {
    private final ManualClock clock = ManualClock.startingAt(Instant.parse("2024-05-01T12:00:00Z"));
    private final TriggerEngine engine = TriggerEngine.builder()
            .clock(clock)
            .matrix(DecisionMatrix.custom()
                    .addRule(TriggerRule.custom()
                            .name("errors")
                            .signal(Signal.ERROR_RATE)
                            .above(0.01)
                            .minimumEvents(100)
                            .action("application-rollback")
                            .build())
                    .addRule(TriggerRule.custom()
                            .name("latency")
                            .signal(Signal.RESPONSE_TIME)
                            .above(Duration.ofSeconds(5))
                            .minimumEvents(100)
                            .action("application-rollback")
                            .build())
                    .build())
            .build();
    private final SimpleMeterRegistry application = new SimpleMeterRegistry();
    private final CompositeMeterRegistry composite = new CompositeMeterRegistry();

    TriggerMeterRegistryTest() {
        composite.add(application);
        composite.add(TriggerMeterRegistry.of(engine));
    }

    private Timer requests(String status, String outcome) {
        return Timer.builder("http.server.requests")
                .tag("uri", "/invoices")
                .tag("status", status)
                .tag("outcome", outcome)
                .register(composite);
    }

    @Test
    void serverErrorsRecordedOnceByTheApplicationReachTheEngine() {
        for (int i = 0; i < 98; i++) {
            requests("200", "SUCCESS").record(Duration.ofMillis(30));
        }
        requests("404", "CLIENT_ERROR").record(Duration.ofMillis(5));
        requests("503", "SERVER_ERROR").record(Duration.ofMillis(5));
        requests("500", "SERVER_ERROR").record(Duration.ofMillis(5));

        assertThat(application.get("http.server.requests").timers())
                .extracting(Timer::count)
                .containsOnly(98L, 1L, 1L, 1L);
        clock.advance(Duration.ofSeconds(1));
        assertThat(engine.evaluate()).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo("errors");
            assertThat(d.observed()).isEqualTo(2 / 101.0); // the 404 counts as a success
        });
    }

    @Test
    void latenciesReachTheEngineAsTheApplicationTimedThem() {
        Timer ok = requests("200", "SUCCESS");
        for (int i = 0; i < 100; i++) {
            ok.record(Duration.ofMillis(5_001));
        }
        clock.advance(Duration.ofSeconds(1));

        assertThat(engine.evaluate())
                .singleElement()
                .satisfies(d -> assertThat(d.rule()).isEqualTo("latency"));
        assertThat(ok.count()).isEqualTo(100);
    }

    @Test
    void otherMetersAreLeftToTheApplicationRegistry() {
        Timer gc = Timer.builder("jvm.gc.pause").register(composite);
        Counter counter = Counter.builder("invoices.created").register(composite);
        for (int i = 0; i < 200; i++) {
            gc.record(Duration.ofSeconds(9));
            counter.increment();
        }
        clock.advance(Duration.ofSeconds(1));

        engine.evaluate();

        assertThat(engine.state("latency")).isEqualTo(RuleState.INSUFFICIENT_DATA);
        assertThat(application.get("invoices.created").counter().count()).isEqualTo(200);
    }
}
