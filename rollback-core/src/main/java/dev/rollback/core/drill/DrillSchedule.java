package dev.rollback.core.drill;

import dev.rollback.api.internal.Arguments;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The runbook's monthly drill calendar: first Monday application rollback, second database
 * recovery, third infrastructure failover, fourth full system disaster recovery, each at a time of
 * day in a time zone (default 10:00 UTC). Computes the drills of any month and the next ones after
 * any instant, in any zone: a Monday is the Monday of the zone the drills are held in, so the
 * same instant may fall on different calendar days elsewhere.
 *
 * <p>Immutable and thread-safe; build with {@link #runbook()} or {@link #custom()}.
 */
public final class DrillSchedule {
    private final ZoneId zone;
    private final LocalTime at;
    private final Set<DrillKind> kinds;

    private DrillSchedule(Builder b) {
        this.zone = b.zone;
        this.at = b.at;
        this.kinds = Set.copyOf(b.kinds);
    }

    /** All four drills at 10:00 UTC. */
    public static DrillSchedule runbook() {
        return new Builder().build();
    }

    /** A builder starting from the runbook's schedule. */
    public static Builder custom() {
        return new Builder();
    }

    /** The zone the drills are held in. */
    public ZoneId zone() {
        return zone;
    }

    /** The drills of {@code month}, in date order. */
    public List<ScheduledDrill> month(YearMonth month) {
        Objects.requireNonNull(month, "month");
        List<ScheduledDrill> out = new ArrayList<>(4);
        for (DrillKind kind : DrillKind.values()) {
            if (kinds.contains(kind)) {
                LocalDate day =
                        month.atDay(1).with(TemporalAdjusters.dayOfWeekInMonth(kind.mondayOfMonth(), DayOfWeek.MONDAY));
                out.add(new ScheduledDrill(kind, ZonedDateTime.of(day, at, zone)));
            }
        }
        return out;
    }

    /**
     * The next {@code count} drills that start strictly after {@code after}, in order.
     *
     * @throws IllegalArgumentException if {@code count} is not in 1..1000
     */
    public List<ScheduledDrill> next(Instant after, int count) {
        Objects.requireNonNull(after, "after");
        Arguments.requireInRange(count, "count", 1, 1000);
        List<ScheduledDrill> out = new ArrayList<>(count);
        YearMonth month = YearMonth.from(after.atZone(zone));
        while (out.size() < count) {
            for (ScheduledDrill d : month(month)) {
                if (d.startsAt().toInstant().isAfter(after) && out.size() < count) {
                    out.add(d);
                }
            }
            month = month.plusMonths(1);
        }
        return out;
    }

    @Override
    public String toString() {
        return "DrillSchedule[" + kinds + " at " + at + " " + zone + "]";
    }

    /** Builds a {@link DrillSchedule}; reusable. Not thread-safe. */
    public static final class Builder {
        private ZoneId zone = ZoneId.of("UTC");
        private LocalTime at = LocalTime.of(10, 0);
        private final Set<DrillKind> kinds = EnumSet.allOf(DrillKind.class);

        private Builder() {}

        /** The time zone whose Mondays the drills fall on. Default UTC. */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** The time of day drills start. Default 10:00. */
        public Builder at(LocalTime at) {
            this.at = Objects.requireNonNull(at, "at");
            return this;
        }

        /** Only these drills (a team that drills two of the four). At least one. */
        public Builder only(DrillKind first, DrillKind... more) {
            kinds.clear();
            kinds.add(Objects.requireNonNull(first, "first"));
            for (DrillKind k : more) {
                kinds.add(Objects.requireNonNull(k, "kind"));
            }
            return this;
        }

        /** Builds the schedule. */
        public DrillSchedule build() {
            return new DrillSchedule(this);
        }
    }
}
