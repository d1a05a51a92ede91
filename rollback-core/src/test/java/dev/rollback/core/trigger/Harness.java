package dev.rollback.core.trigger;

import dev.rollback.api.Decision;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** An engine on a manual clock, driven one second at a time, with every decision it took. */
final class Harness {
    static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

    final ManualClock clock = ManualClock.startingAt(START);
    final List<Decision> decisions = new ArrayList<>();
    final TriggerEngine engine;

    Harness(DecisionMatrix matrix) {
        engine = TriggerEngine.builder()
                .matrix(matrix)
                .clock(clock)
                .onDecision(decisions::add)
                .build();
    }

    static Harness runbook() {
        return new Harness(DecisionMatrix.ofDefaults());
    }

    /** For {@code duration}, each second: {@code traffic} records, the clock moves a second, the engine evaluates. */
    Harness run(Duration duration, Consumer<TriggerEngine> traffic) {
        for (long s = 0; s < duration.toSeconds(); s++) {
            traffic.accept(engine);
            clock.advance(Duration.ofSeconds(1));
            engine.evaluate();
        }
        return this;
    }

    /** Decisions by the rule named {@code rule}. */
    List<Decision> by(String rule) {
        return decisions.stream().filter(d -> d.rule().equals(rule)).toList();
    }

    /** {@code count} requests of {@code latency}, of which {@code failures} failed. */
    static Consumer<TriggerEngine> requests(int count, int failures, Duration latency) {
        long nanos = latency.toNanos();
        return engine -> {
            for (int i = 0; i < count; i++) {
                engine.recordRequest(nanos, TimeUnit.NANOSECONDS, i >= failures);
            }
        };
    }

    /** {@code count} fast requests, of which {@code failures} failed. */
    static Consumer<TriggerEngine> requests(int count, int failures) {
        return requests(count, failures, Duration.ofMillis(20));
    }

    /** {@code count} connection attempts, of which {@code failures} failed. */
    static Consumer<TriggerEngine> connections(int count, int failures) {
        return engine -> {
            for (int i = 0; i < count; i++) {
                engine.recordConnectionAttempt(i >= failures);
            }
        };
    }
}
