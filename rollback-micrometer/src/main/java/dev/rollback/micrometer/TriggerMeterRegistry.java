package dev.rollback.micrometer;

import dev.rollback.core.trigger.TriggerEngine;
import io.micrometer.core.instrument.AbstractTimer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.NoopHistogram;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.noop.NoopCounter;
import io.micrometer.core.instrument.noop.NoopDistributionSummary;
import io.micrometer.core.instrument.noop.NoopFunctionCounter;
import io.micrometer.core.instrument.noop.NoopFunctionTimer;
import io.micrometer.core.instrument.noop.NoopGauge;
import io.micrometer.core.instrument.noop.NoopMeter;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Feeds a {@link TriggerEngine} from the request timer an application already records
 * ({@code http.server.requests}, as Spring Boot, Micronaut and Quarkus name it), so the
 * application gets triggers without recording twice.
 *
 * <p>It is a child registry: add it to the application's {@code CompositeMeterRegistry}
 * ({@code composite.add(TriggerMeterRegistry.of(engine))}, or {@code Metrics.globalRegistry}; in
 * Spring Boot, declaring it as a {@code MeterRegistry} bean makes Boot build the composite). Each
 * request the application times then reaches the engine once, with its latency, as a failure
 * when its tags say so (by default {@code outcome=SERVER_ERROR} or a 5xx {@code status}; a 4xx is
 * the client's error, not the service's). The failure test runs once per tag set, when the meter
 * is made, not per request.
 *
 * <p>It keeps almost nothing itself: every other meter is denied (a no-op); its request timers
 * keep no histogram, only a cumulative count and total time (two {@code LongAdder}s), because a
 * composite answers {@code count()} and {@code totalTime()} from whichever child it lists first,
 * which may be this one. Their {@code max()} is always 0: read maxima from the application's own
 * registry. Thread-safe.
 */
public final class TriggerMeterRegistry extends MeterRegistry {
    /** The timer Spring Boot and others record for every HTTP request served. */
    public static final String HTTP_SERVER_REQUESTS = "http.server.requests";

    private final TriggerEngine engine;
    private final Predicate<Meter.Id> failure;

    private TriggerMeterRegistry(Builder b) {
        super(Clock.SYSTEM);
        this.engine = b.engine;
        this.failure = b.failure;
        String timerName = b.timerName;
        config().meterFilter(MeterFilter.denyUnless(
                id -> id.getType() == Meter.Type.TIMER && id.getName().equals(timerName)));
    }

    /** Feeds {@code engine} from {@code http.server.requests}, failing server errors. */
    public static TriggerMeterRegistry of(TriggerEngine engine) {
        return builder(engine).build();
    }

    /** A builder for {@code engine}. */
    public static Builder builder(TriggerEngine engine) {
        return new Builder(engine);
    }

    /** The default failure test: {@code outcome=SERVER_ERROR}, or a {@code status} tag of 5xx. */
    public static boolean isServerError(Meter.Id id) {
        String outcome = id.getTag("outcome");
        String status = id.getTag("status");
        return "SERVER_ERROR".equals(outcome) || (status != null && status.length() == 3 && status.charAt(0) == '5');
    }

    @Override
    protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
        return new RequestTimer(id, clock, engine, !failure.test(id));
    }

    @Override
    protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
        return new NoopGauge(id);
    }

    @Override
    protected Counter newCounter(Meter.Id id) {
        return new NoopCounter(id);
    }

    @Override
    protected DistributionSummary newDistributionSummary(
            Meter.Id id, DistributionStatisticConfig config, double scale) {
        return new NoopDistributionSummary(id);
    }

    @Override
    protected Meter newMeter(Meter.Id id, Meter.Type type, Iterable<Measurement> measurements) {
        return new NoopMeter(id);
    }

    @Override
    protected <T> FunctionTimer newFunctionTimer(
            Meter.Id id, T obj, ToLongFunction<T> countFunction, ToDoubleFunction<T> totalTimeFunction, TimeUnit unit) {
        return new NoopFunctionTimer(id);
    }

    @Override
    protected <T> FunctionCounter newFunctionCounter(Meter.Id id, T obj, ToDoubleFunction<T> countFunction) {
        return new NoopFunctionCounter(id);
    }

    @Override
    protected TimeUnit getBaseTimeUnit() {
        return TimeUnit.SECONDS;
    }

    @Override
    protected DistributionStatisticConfig defaultHistogramConfig() {
        return DistributionStatisticConfig.NONE;
    }

    /** A request timer that hands each recording to the engine and keeps only a count and a total. */
    private static final class RequestTimer extends AbstractTimer {
        private final TriggerEngine engine;
        private final boolean success;
        private final LongAdder count = new LongAdder();
        private final LongAdder totalNanos = new LongAdder();

        RequestTimer(Meter.Id id, Clock clock, TriggerEngine engine, boolean success) {
            super(id, clock, NoPauseDetector.INSTANCE, TimeUnit.SECONDS, NoopHistogram.INSTANCE);
            this.engine = engine;
            this.success = success;
        }

        @Override
        protected void recordNonNegative(long amount, TimeUnit unit) {
            engine.recordRequest(amount, unit, success);
            count.increment();
            totalNanos.add(unit.toNanos(amount));
        }

        @Override
        public long count() {
            return count.sum();
        }

        @Override
        public double totalTime(TimeUnit unit) {
            return (double) totalNanos.sum() / unit.toNanos(1);
        }

        @Override
        public double max(TimeUnit unit) {
            return 0;
        }
    }

    /** Builds a {@link TriggerMeterRegistry}. Not thread-safe; reusable. */
    public static final class Builder {
        private final TriggerEngine engine;
        private String timerName = HTTP_SERVER_REQUESTS;
        private Predicate<Meter.Id> failure = TriggerMeterRegistry::isServerError;

        private Builder(TriggerEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /** The name of the request timer to feed from; default {@value #HTTP_SERVER_REQUESTS}. */
        public Builder timerName(String timerName) {
            Objects.requireNonNull(timerName, "timerName");
            if (timerName.isBlank()) {
                throw new IllegalArgumentException("timerName must not be blank, but was '" + timerName + "'");
            }
            this.timerName = timerName;
            return this;
        }

        /** Which tag sets are failed requests; default {@link TriggerMeterRegistry#isServerError}. */
        public Builder failureWhen(Predicate<Meter.Id> failure) {
            this.failure = Objects.requireNonNull(failure, "failure");
            return this;
        }

        /** Builds the registry; add it to the application's composite registry. */
        public TriggerMeterRegistry build() {
            return new TriggerMeterRegistry(this);
        }
    }
}
