package dev.rollback.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.Signal;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.transport.RequestReplyReceiverContext;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which server observations become failed requests in the engine, and which are not requests at all. */
class HttpServerRequestSignalsTest {
    private final ManualClock clock = ManualClock.startingAt(Instant.parse("2026-12-03T10:00:00Z"));
    private final TriggerEngine engine = TriggerEngine.builder()
            .clock(clock)
            .matrix(DecisionMatrix.custom()
                    .name("errors")
                    .addRule(TriggerRule.custom()
                            .name(DecisionMatrix.ERROR_RATE)
                            .signal(Signal.ERROR_RATE)
                            .above(0.9)
                            .window(Duration.ofSeconds(10))
                            .minimumEvents(10)
                            .action(DecisionMatrix.APPLICATION_ROLLBACK)
                            .build())
                    .build())
            .build();
    private final HttpServerRequestSignals signals = new HttpServerRequestSignals(engine, "http.server.requests");

    @Test
    void aServerErrorIsAFailureAndAClientErrorIsNot() {
        serve(10, "http.server.requests", KeyValue.of("status", "404"), KeyValue.of("outcome", "CLIENT_ERROR"));
        serve(5, "http.server.requests", KeyValue.of("status", "503"), KeyValue.of("outcome", "SERVER_ERROR"));
        serve(5, "http.server.requests", KeyValue.of("status", "200"), KeyValue.of("outcome", "SUCCESS"));

        assertThat(errorRate()).isEqualTo(0.25);
    }

    @Test
    void anExceptionWithoutAStatusIsAFailureByItsOutcome() {
        serve(10, "http.server.requests", KeyValue.of("status", "UNKNOWN"), KeyValue.of("outcome", "SERVER_ERROR"));

        assertThat(errorRate()).isEqualTo(1.0);
    }

    @Test
    void otherObservationsAreNotRequests() {
        serve(10, "http.client.requests", KeyValue.of("status", "500"), KeyValue.of("outcome", "SERVER_ERROR"));
        assertThat(signals.supportsContext(new Observation.Context())).isFalse();

        engine.evaluate();
        assertThat(engine.observed(DecisionMatrix.ERROR_RATE)).isEmpty(); // fewer than 10 requests: no data
    }

    private double errorRate() {
        clock.advance(Duration.ofSeconds(1));
        engine.evaluate();
        return engine.observed(DecisionMatrix.ERROR_RATE).orElseThrow();
    }

    private void serve(int requests, String name, KeyValue... tags) {
        for (int i = 0; i < requests; i++) {
            RequestReplyReceiverContext<Object, Object> context = new RequestReplyReceiverContext<>((c, key) -> null);
            assertThat(signals.supportsContext(context)).isTrue();
            signals.onStart(context);
            context.setName(name);
            for (KeyValue tag : tags) {
                context.addLowCardinalityKeyValue(tag);
            }
            signals.onStop(context);
        }
    }
}
