package dev.rollback.spring.internal;

import dev.rollback.core.trigger.TriggerEngine;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.transport.RequestReplyReceiverContext;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Feeds the trigger engine from the observation the application makes of each HTTP request it serves
 * ({@code http.server.requests}, Spring MVC's and WebFlux's server observation, the one the request
 * timer is recorded from): when the observation stops, the request is recorded with its latency, as a
 * failure when its tags say the server failed ({@code outcome=SERVER_ERROR} or a 5xx {@code status}; a
 * 4xx is the client's error), the test {@code TriggerMeterRegistry} applies to the timer's tags.
 *
 * <p>Thread-safe; recording is lock-free. It only reads the observation, never changes it.
 */
public final class HttpServerRequestSignals implements ObservationHandler<Observation.Context> {
    private static final Object STARTED = HttpServerRequestSignals.class;

    private final TriggerEngine engine;
    private final String observationName;

    /**
     * @param engine the engine to record into
     * @param observationName the name of the server observation ({@code http.server.requests} unless the
     *     application renamed it)
     */
    public HttpServerRequestSignals(TriggerEngine engine, String observationName) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.observationName = Objects.requireNonNull(observationName, "observationName");
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof RequestReplyReceiverContext<?, ?>;
    }

    @Override
    public void onStart(Observation.Context context) {
        context.put(STARTED, System.nanoTime());
    }

    @Override
    public void onStop(Observation.Context context) {
        Long started = context.get(STARTED);
        if (started == null || !observationName.equals(context.getName())) {
            return;
        }
        engine.recordRequest(System.nanoTime() - started, TimeUnit.NANOSECONDS, !isServerError(context));
    }

    /** Whether the observation's tags say the server failed: {@code outcome=SERVER_ERROR} or a 5xx status. */
    static boolean isServerError(Observation.Context context) {
        KeyValue outcome = context.getLowCardinalityKeyValue("outcome");
        KeyValue status = context.getLowCardinalityKeyValue("status");
        String s = status == null ? "" : status.getValue();
        return (outcome != null && "SERVER_ERROR".equals(outcome.getValue()))
                || (s.length() == 3 && s.charAt(0) == '5');
    }

    @Override
    public String toString() {
        return "HttpServerRequestSignals[" + observationName + " -> " + engine + "]";
    }
}
