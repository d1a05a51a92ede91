package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A typed name for a piece of step evidence. Evidence is stored as text (it goes into journals and
 * reports); a key fixes how a value of type {@code T} is written and read back, so a producer and a
 * consumer that share the key cannot disagree on the spelling or the format.
 *
 * <p>The keys the executor itself reads are the constants here: {@link #RECORDS_LOST} and
 * {@link #DATA_LOSS_WINDOW} feed the report's data-loss figures and each component's RPO verdict.
 * A provider that measures what a rollback lost records it with
 * {@link StepContext#evidence(EvidenceKey, Object)}.
 *
 * <p>Immutable and thread-safe. Keys are equal when their names are equal.
 *
 * @param <T> the type of the value
 */
public final class EvidenceKey<T> {

    /**
     * The number of records a step's rollback lost (a count, zero or more). The report sums it over
     * all steps into the success metric "records lost"; the runbook's target is zero.
     */
    public static final EvidenceKey<Long> RECORDS_LOST = ofCount("rpo.recordsLost");

    /**
     * The window of writes a step's rollback lost (the time between the recovery point and the last
     * good write). The report takes the largest per component and compares it with the component's
     * RPO.
     */
    public static final EvidenceKey<Duration> DATA_LOSS_WINDOW = ofDuration("rpo.dataLossWindow");

    private final String name;
    private final Function<T, String> writer;
    private final Function<String, T> reader;

    private EvidenceKey(String name, Function<T, String> writer, Function<String, T> reader) {
        this.name = Arguments.requireId(name, "name");
        this.writer = writer;
        this.reader = reader;
    }

    /** A key for free text. */
    public static EvidenceKey<String> ofText(String name) {
        return new EvidenceKey<>(name, Function.identity(), Function.identity());
    }

    /** A key for a count: a whole number, zero or more. */
    public static EvidenceKey<Long> ofCount(String name) {
        return new EvidenceKey<>(name, value -> Long.toString(Arguments.requireNotNegative(value, name)), text -> {
            long n = Long.parseLong(text.trim());
            if (n < 0) {
                throw new IllegalArgumentException("negative count");
            }
            return n;
        });
    }

    /** A key for a duration, written as ISO-8601 ({@code PT4M30S}). */
    public static EvidenceKey<Duration> ofDuration(String name) {
        return new EvidenceKey<>(name, Duration::toString, text -> Duration.parse(text.trim()));
    }

    /** A key for an instant, written as ISO-8601 ({@code 2024-01-01T12:00:00Z}). */
    public static EvidenceKey<Instant> ofInstant(String name) {
        return new EvidenceKey<>(name, Instant::toString, text -> Instant.parse(text.trim()));
    }

    /** The name the value is stored under in reports and journals. */
    public String name() {
        return name;
    }

    /** {@code value} as stored text. */
    public String write(T value) {
        return writer.apply(Objects.requireNonNull(value, name));
    }

    /**
     * The value stored as {@code text}, or empty when the text is not a value of this key (a
     * malformed or out-of-range value is never read as a default).
     */
    public Optional<T> read(String text) {
        Objects.requireNonNull(text, "text");
        try {
            return Optional.of(reader.apply(text));
        } catch (NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvidenceKey<?> other && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
