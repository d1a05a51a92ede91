package dev.rollback.core.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runbook's monthly drills fall on the first to fourth Mondays, in the zone they are held in. */
class DrillScheduleTest {

    @Test
    void decemberTwentyTwentySixHasItsFourDrillsOnItsFourMondays() {
        List<ScheduledDrill> drills = DrillSchedule.runbook().month(YearMonth.of(2026, 12));

        assertThat(drills)
                .extracting(ScheduledDrill::kind)
                .containsExactly(
                        DrillKind.APPLICATION_ROLLBACK,
                        DrillKind.DATABASE_RECOVERY,
                        DrillKind.INFRASTRUCTURE_FAILOVER,
                        DrillKind.FULL_DISASTER_RECOVERY);
        assertThat(drills)
                .extracting(d -> d.startsAt().toLocalDate())
                .containsExactly(
                        LocalDate.of(2026, 12, 7),
                        LocalDate.of(2026, 12, 14),
                        LocalDate.of(2026, 12, 21),
                        LocalDate.of(2026, 12, 28));
        assertThat(drills.get(0).startsAt().toInstant()).isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
    }

    @Test
    void aMonthStartingOnAMondayHasItsFirstDrillOnTheFirst() {
        assertThat(DrillSchedule.runbook()
                        .month(YearMonth.of(2027, 2))
                        .get(0)
                        .startsAt()
                        .toLocalDate())
                .isEqualTo(LocalDate.of(2027, 2, 1));
    }

    @Test
    void theNextDrillsCrossIntoTheFollowingMonthAndSkipOnesAlreadyStarted() {
        List<ScheduledDrill> next = DrillSchedule.runbook().next(Instant.parse("2026-12-21T10:00:00Z"), 3);

        assertThat(next)
                .extracting(d -> d.kind() + "@" + d.startsAt().toLocalDate())
                .containsExactly(
                        "FULL_DISASTER_RECOVERY@2026-12-28",
                        "APPLICATION_ROLLBACK@2027-01-04",
                        "DATABASE_RECOVERY@2027-01-11");
    }

    @Test
    void mondaysAreTheMondaysOfTheZoneTheDrillsAreHeldIn() {
        DrillSchedule auckland = DrillSchedule.custom()
                .zone(ZoneId.of("Pacific/Auckland"))
                .at(LocalTime.of(9, 30))
                .only(DrillKind.APPLICATION_ROLLBACK)
                .build();

        ScheduledDrill first = auckland.month(YearMonth.of(2026, 12)).get(0);
        assertThat(first.startsAt().toLocalDate()).isEqualTo(LocalDate.of(2026, 12, 7));
        assertThat(first.startsAt().toInstant())
                .as("09:30 on Monday in Auckland (UTC+13 in summer) is Sunday evening in UTC")
                .isEqualTo(Instant.parse("2026-12-06T20:30:00Z"));
        assertThat(auckland.next(Instant.parse("2026-12-06T20:00:00Z"), 2))
                .extracting(d -> d.startsAt().toLocalDate())
                .containsExactly(LocalDate.of(2026, 12, 7), LocalDate.of(2027, 1, 4));
    }

    @Test
    void aCountOutsideOneToAThousandIsRefused() {
        assertThatThrownBy(() -> DrillSchedule.runbook().next(Instant.EPOCH, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
    }
}
