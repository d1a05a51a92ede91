package dev.rollback.core.trigger;

import dev.rollback.api.RollbackClock;
import dev.rollback.core.trigger.internal.LatencyBins;
import dev.rollback.core.trigger.internal.SlotTicker;
import dev.rollback.core.trigger.internal.StripedSlidingWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the engine keeps what it was told: a sliding window of requests (latency histogram and
 * failures), a sliding window of database connection attempts, the latest gauge samples, the
 * run of failed health checks and the alarms present; and the application's own signals
 * ({@link CustomSignal}): a sliding window per custom rate or latency, laid out as the connection
 * attempts' and the requests' windows, and the latest sample of each custom gauge.
 *
 * <p>Request slots hold, in this order: the latency sum in microseconds plus one per request (so
 * it is zero exactly when the slot is empty, and the request count is the sum of the bins), the
 * failures, then {@link LatencyBins#COUNT} bins. Connection slots hold attempts, then failures.
 *
 * <p>Recording is thread-safe, lock-free and allocation-free; {@link #observe} is called by one
 * evaluating thread at a time.
 */
final class Signals {
    private static final int REQUEST_WEIGHT = 0;
    private static final int REQUEST_FAILURES = 1;
    private static final int REQUEST_BINS = 2;
    private static final int CONNECTION_ATTEMPTS = 0;
    private static final int CONNECTION_FAILURES = 1;
    /** A custom rate's slots: events, then failures (as connection attempts). */
    static final int RATE_FAILURES = 1;
    /** A custom latency's slots: as requests' (weight, an unused failure count, the bins). */
    static final int LATENCY_BINS = REQUEST_BINS;

    private final StripedSlidingWindow requests;
    private final StripedSlidingWindow connections;
    private final Gauge memory = new Gauge();
    private final Gauge disk = new Gauge();
    private final AtomicLong failedHealthChecks = new AtomicLong(-1); // -1: no health check yet
    private final AtomicReference<String> securityBreach = new AtomicReference<>();
    private final AtomicReference<String> dataCorruption = new AtomicReference<>();
    /** The application's own signals by name, in the order first met. */
    private final Map<String, Custom> customs = new LinkedHashMap<>();

    private final long resolutionNanos;
    private final long originNanos;
    /** The window lengths, in slots, the windows keep a running sum for (one per distinct rule window). */
    private final int[] requestSlots;

    private final int[] connectionSlots;
    /** Whether the windows were brought up to date in this evaluation. */
    private boolean requestsUpdated;

    private boolean connectionsUpdated;

    Signals(List<TriggerRule> rules, List<CustomSignal> declared, long originNanos, long resolutionNanos, int stripes) {
        this.resolutionNanos = resolutionNanos;
        this.originNanos = originNanos;
        this.requestSlots = distinctSlots(rules, resolutionNanos, Signal.ERROR_RATE, Signal.RESPONSE_TIME);
        this.connectionSlots = distinctSlots(
                rules, resolutionNanos, Signal.DATABASE_CONNECTION_FAILURES, Signal.DATABASE_CONNECTION_FAILURES);
        this.requests = new StripedSlidingWindow(
                originNanos, resolutionNanos, REQUEST_BINS + LatencyBins.COUNT, stripes, requestSlots);
        this.connections = new StripedSlidingWindow(originNanos, resolutionNanos, 2, stripes, connectionSlots);
        Map<String, CustomSignal> definitions = new LinkedHashMap<>();
        declared.forEach(c -> define(definitions, c, "declared"));
        rules.forEach(r -> r.customSignal().ifPresent(c -> define(definitions, c, "rule '" + r.name() + "'")));
        for (CustomSignal c : definitions.values()) {
            int[] slots = rules.stream()
                    .filter(r -> r.customSignal().filter(c::equals).isPresent())
                    .mapToInt(r -> StripedSlidingWindow.slotsToRead(r.window().toNanos(), resolutionNanos))
                    .distinct()
                    .toArray();
            customs.put(
                    c.name(),
                    switch (c.kind()) {
                        case RATE ->
                            new Custom(
                                    c,
                                    new StripedSlidingWindow(originNanos, resolutionNanos, 2, stripes, slots),
                                    slots,
                                    null);
                        case LATENCY ->
                            new Custom(
                                    c,
                                    new StripedSlidingWindow(
                                            originNanos,
                                            resolutionNanos,
                                            LATENCY_BINS + LatencyBins.COUNT,
                                            stripes,
                                            slots),
                                    slots,
                                    null);
                        case GAUGE -> new Custom(c, null, slots, new Gauge());
                    });
        }
    }

    private static void define(Map<String, CustomSignal> definitions, CustomSignal c, String where) {
        CustomSignal known = definitions.putIfAbsent(c.name(), c);
        if (known != null && !known.equals(c)) {
            throw new IllegalArgumentException("custom signal '" + c.name() + "' is a " + known.kind() + " in "
                    + known.unit() + " elsewhere, but a " + c.kind() + " in " + c.unit() + " in " + where);
        }
    }

    /** The largest threshold or sample a unit allows: 1 for "ratio", 100 for "percent", else unbounded. */
    static double maxOf(String unit) {
        return switch (unit) {
            case "ratio" -> 1;
            case "percent" -> 100;
            default -> Double.POSITIVE_INFINITY;
        };
    }

    /** The application's own signals, in the order first met. */
    List<CustomSignal> customSignals() {
        return customs.values().stream().map(c -> c.signal).toList();
    }

    /** The storage of the custom signal {@code name} of {@code kind}. */
    Custom custom(String name, CustomSignal.Kind kind) {
        Custom c = customs.get(name);
        if (c == null || c.signal.kind() != kind) {
            throw new IllegalArgumentException(
                    "'" + name + "' is not a custom " + kind.name().toLowerCase(Locale.ROOT)
                            + " of this engine; its custom signals are " + customSignals()
                            + " (declare one with TriggerEngine.Builder.signal, or a rule on it)");
        }
        return c;
    }

    /** Records a request at {@code clock}'s now, which is read only while no {@link SlotTicker} holds the fast path open. */
    void recordRequest(RollbackClock clock, long latencyNanos, boolean success) {
        long micros = LatencyBins.microsOf(latencyNanos);
        requests.record(clock, REQUEST_BINS + LatencyBins.binOf(micros), success ? -1 : REQUEST_FAILURES, micros + 1);
    }

    void recordConnectionAttempt(RollbackClock clock, boolean succeeded) {
        connections.record(clock, succeeded ? -1 : CONNECTION_FAILURES, -1, 1);
    }

    /** A ticker that keeps the fast path of both windows open while their slot has time left. */
    SlotTicker ticker(RollbackClock clock) {
        List<StripedSlidingWindow> windows = new ArrayList<>(List.of(requests, connections));
        customs.values().stream().filter(c -> c.window != null).forEach(c -> windows.add(c.window));
        return new SlotTicker(clock, originNanos, Duration.ofNanos(resolutionNanos), windows);
    }

    void recordHealthCheck(boolean passed) {
        if (passed) {
            failedHealthChecks.set(0);
        } else {
            failedHealthChecks.getAndUpdate(n -> Math.max(n, 0) + 1);
        }
    }

    void recordMemoryUsage(long nowNanos, double percent) {
        memory.sample(nowNanos, percent);
    }

    void recordDiskSpace(long nowNanos, double percent) {
        disk.sample(nowNanos, percent);
    }

    AtomicReference<String> alarm(Signal signal) {
        return signal == Signal.SECURITY_BREACH ? securityBreach : dataCorruption;
    }

    /** Starts an evaluation: the window sums of the previous one are stale. */
    void beginEvaluation() {
        requestsUpdated = false;
        connectionsUpdated = false;
        for (Custom c : customs.values()) {
            c.updated = false;
        }
    }

    /**
     * What {@code rule} sees at {@code nowNanos}: its value in its unit, or NaN when it has no
     * data (too few events, a stale gauge, no health check yet). The windows are brought up to
     * date at the first rule of an evaluation that reads them; rules that share a window length
     * share its running sum.
     */
    double observe(TriggerRule rule, long nowNanos) {
        return switch (rule.signal()) {
            case ERROR_RATE -> {
                long[] sums = requestSums(rule, nowNanos);
                long count = requestCount(sums);
                yield count < rule.minimumEvents() ? Double.NaN : (double) sums[REQUEST_FAILURES] / count;
            }
            case RESPONSE_TIME -> responseTime(rule, requestSums(rule, nowNanos));
            case DATABASE_CONNECTION_FAILURES -> {
                long[] sums = connectionSums(rule, nowNanos);
                long attempts = sums[CONNECTION_ATTEMPTS];
                yield attempts < rule.minimumEvents() ? Double.NaN : (double) sums[CONNECTION_FAILURES] / attempts;
            }
            case MEMORY_USAGE -> memory.valueAt(nowNanos, rule.window().toNanos());
            case DISK_SPACE -> disk.valueAt(nowNanos, rule.window().toNanos());
            case FAILED_HEALTH_CHECKS -> {
                long failed = failedHealthChecks.get();
                yield failed < 0 ? Double.NaN : failed;
            }
            case SECURITY_BREACH, DATA_CORRUPTION -> alarm(rule.signal()).get() == null ? 0 : 1;
            case CUSTOM_RATE -> {
                long[] sums =
                        customs.get(rule.customSignal().orElseThrow().name()).sums(rule, nowNanos, resolutionNanos);
                long events = sums[0];
                yield events < rule.minimumEvents() ? Double.NaN : (double) sums[RATE_FAILURES] / events;
            }
            case CUSTOM_LATENCY ->
                responseTime(
                        rule,
                        customs.get(rule.customSignal().orElseThrow().name()).sums(rule, nowNanos, resolutionNanos));
            case CUSTOM_GAUGE ->
                customs.get(rule.customSignal().orElseThrow().name())
                        .gauge
                        .valueAt(nowNanos, rule.window().toNanos());
        };
    }

    private static double responseTime(TriggerRule rule, long[] sums) {
        long count = requestCount(sums);
        if (count < rule.minimumEvents()) {
            return Double.NaN;
        }
        if (rule.statistic() == LatencyStatistic.MEAN) {
            return (double) (sums[REQUEST_WEIGHT] - count) / count / 1e6;
        }
        long rank = (count * rule.statistic().perMille() + 999) / 1000; // nearest rank, in integers
        long seen = 0;
        for (int bin = 0; bin < LatencyBins.COUNT; bin++) {
            seen += sums[REQUEST_BINS + bin];
            if (seen >= rank) {
                return LatencyBins.midpointMicros(bin) / 1e6;
            }
        }
        throw new IllegalStateException("rank " + rank + " beyond " + seen + " requests");
    }

    private static long requestCount(long[] sums) {
        long count = 0;
        for (int bin = 0; bin < LatencyBins.COUNT; bin++) {
            count += sums[REQUEST_BINS + bin];
        }
        return count;
    }

    private long[] requestSums(TriggerRule rule, long nowNanos) {
        if (!requestsUpdated) {
            requests.update(nowNanos);
            requestsUpdated = true;
        }
        return requests.sum(indexOf(requestSlots, slotsToRead(rule)));
    }

    private long[] connectionSums(TriggerRule rule, long nowNanos) {
        if (!connectionsUpdated) {
            connections.update(nowNanos);
            connectionsUpdated = true;
        }
        return connections.sum(indexOf(connectionSlots, slotsToRead(rule)));
    }

    private int slotsToRead(TriggerRule rule) {
        return StripedSlidingWindow.slotsToRead(rule.window().toNanos(), resolutionNanos);
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        throw new IllegalStateException("no window of " + value + " slots");
    }

    private static int[] distinctSlots(List<TriggerRule> rules, long resolutionNanos, Signal a, Signal b) {
        return rules.stream()
                .filter(r -> r.signal() == a || r.signal() == b)
                .mapToInt(r -> StripedSlidingWindow.slotsToRead(r.window().toNanos(), resolutionNanos))
                .distinct()
                .toArray();
    }

    /**
     * An application's own signal: its window (rates, latencies: the same striped sliding window as
     * requests) with the window lengths its rules read, or its latest sample (gauges).
     */
    static final class Custom {
        final CustomSignal signal;
        final StripedSlidingWindow window;
        final int[] slots;
        final Gauge gauge;
        boolean updated;

        Custom(CustomSignal signal, StripedSlidingWindow window, int[] slots, Gauge gauge) {
            this.signal = signal;
            this.window = window;
            this.slots = slots;
            this.gauge = gauge;
        }

        long[] sums(TriggerRule rule, long nowNanos, long resolutionNanos) {
            if (!updated) {
                window.update(nowNanos);
                updated = true;
            }
            return window.sum(indexOf(
                    slots, StripedSlidingWindow.slotsToRead(rule.window().toNanos(), resolutionNanos)));
        }
    }

    /** The latest sample of a gauge and when it was taken; a racing read may pair a newer value with the previous time, never an older value with a newer time. */
    static final class Gauge {
        private volatile double value;
        private volatile long takenAt;
        private volatile boolean sampled;

        void sample(long nowNanos, double sample) {
            value = sample;
            takenAt = nowNanos;
            sampled = true;
        }

        double valueAt(long nowNanos, long maxAgeNanos) {
            return sampled && nowNanos - takenAt <= maxAgeNanos ? value : Double.NaN;
        }
    }
}
