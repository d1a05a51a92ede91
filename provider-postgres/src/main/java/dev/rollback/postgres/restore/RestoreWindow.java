package dev.rollback.postgres.restore;

import java.time.Instant;
import java.util.Objects;

/**
 * The instants a point-in-time restore may target, both ends included. Immutable.
 *
 * @param earliest the earliest restorable instant
 * @param latest the latest restorable instant, not before {@code earliest}
 */
public record RestoreWindow(Instant earliest, Instant latest) {
    /** Validates. */
    public RestoreWindow {
        Objects.requireNonNull(earliest, "earliest");
        Objects.requireNonNull(latest, "latest");
        if (latest.isBefore(earliest)) {
            throw new IllegalArgumentException("latest " + latest + " is before earliest " + earliest);
        }
    }

    /** Whether {@code instant} lies in the window, ends included. */
    public boolean contains(Instant instant) {
        return !instant.isBefore(earliest) && !instant.isAfter(latest);
    }

    @Override
    public String toString() {
        return earliest + " to " + latest;
    }
}
