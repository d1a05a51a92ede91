package dev.rollback.core.drill;

import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * One drill on the calendar: which drill and when it starts, in the schedule's time zone. Immutable.
 *
 * @param kind the drill
 * @param startsAt when it starts
 */
public record ScheduledDrill(DrillKind kind, ZonedDateTime startsAt) {

    /** Validates. */
    public ScheduledDrill {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(startsAt, "startsAt");
    }
}
