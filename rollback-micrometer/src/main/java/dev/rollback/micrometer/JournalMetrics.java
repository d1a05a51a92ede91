package dev.rollback.micrometer;

import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Times a {@link Journal}'s appends, as Micrometer's {@code ExecutorServiceMetrics.monitor} times an
 * executor: {@code JournalMetrics.monitor(registry, journal)} returns a journal that records each
 * append in the timer {@code rollback.journal.append} (tags {@code type}, the record type, and
 * {@code exception}, {@code none} or the simple name of what the append threw) and otherwise does
 * exactly what {@code journal} does. Hand the returned journal to the executor.
 *
 * <p>The decorator keeps the {@link Journal} contract by delegating every call unchanged: an append
 * that throws is timed and the same exception rethrown; reads and {@link Journal#verify(String)}
 * are not timed. It does not close the journal it wraps. Thread-safe.
 */
public final class JournalMetrics {
    private JournalMetrics() {}

    /**
     * A journal that times {@code journal}'s appends into {@code registry}.
     *
     * @param registry where the timer goes
     * @param journal the journal to time
     * @return the timed journal
     */
    public static Journal monitor(MeterRegistry registry, Journal journal) {
        return new Timed(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(journal, "journal"));
    }

    /** The decorator; its successful-append timers are made once per record type. */
    private static final class Timed implements Journal {
        private final MeterRegistry registry;
        private final Journal delegate;
        private final Map<JournalRecord.Type, Timer> succeeded = new EnumMap<>(JournalRecord.Type.class);

        Timed(MeterRegistry registry, Journal delegate) {
            this.registry = registry;
            this.delegate = delegate;
            for (JournalRecord.Type type : JournalRecord.Type.values()) {
                succeeded.put(type, timer(type, "none"));
            }
        }

        private Timer timer(JournalRecord.Type type, String exception) {
            return Timer.builder("rollback.journal.append")
                    .description("How long a durable journal append took")
                    .tags("type", type.name(), "exception", exception)
                    .register(registry);
        }

        @Override
        public void append(JournalRecord record) {
            Objects.requireNonNull(record, "record");
            Timer.Sample sample = Timer.start(registry);
            try {
                delegate.append(record);
            } catch (RuntimeException | Error e) {
                sample.stop(timer(record.type(), e.getClass().getSimpleName()));
                throw e;
            }
            sample.stop(succeeded.get(record.type()));
        }

        @Override
        public List<JournalRecord> records(String runId) {
            return delegate.records(runId);
        }

        @Override
        public List<String> unfinishedRuns() {
            return delegate.unfinishedRuns();
        }

        @Override
        public Optional<JournalVerification> verify(String runId) {
            return delegate.verify(runId);
        }

        @Override
        public String toString() {
            return "timed " + delegate;
        }
    }
}
