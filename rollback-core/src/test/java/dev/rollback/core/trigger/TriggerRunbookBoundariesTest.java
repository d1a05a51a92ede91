package dev.rollback.core.trigger;

import static dev.rollback.core.trigger.DecisionMatrix.*;
import static dev.rollback.core.trigger.Harness.connections;
import static dev.rollback.core.trigger.Harness.requests;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Decision;
import dev.rollback.api.Severity;
import java.time.Duration;
import java.util.function.Consumer;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every threshold of the runbook's matrix, exactly at, just above and just below. */
class TriggerRunbookBoundariesTest {

    @ParameterizedTest(name = "{0} failures in 10,000 requests per second -> rollback: {1}")
    @CsvSource({"99, false", "100, false", "101, true"})
    void errorRateRollsBackOnlyAboveOnePercent(int failuresPerTenThousand, boolean rollsBack) {
        Harness h = Harness.runbook().run(Duration.ofMinutes(6), requests(10_000, failuresPerTenThousand));

        assertThat(h.by(ERROR_RATE)).hasSize(rollsBack ? 1 : 0);
    }

    @Test
    void errorRateAboveOnePercentRollsBackAtFiveMinutesNotBefore() {
        Harness h = Harness.runbook().run(Duration.ofSeconds(300), requests(10_000, 101));
        assertThat(h.by(ERROR_RATE)).isEmpty();

        h.run(Duration.ofSeconds(1), requests(10_000, 101));

        Decision decision = h.by(ERROR_RATE).get(0);
        assertThat(decision.action()).isEqualTo(APPLICATION_ROLLBACK);
        assertThat(decision.kind()).isEqualTo(Decision.Kind.ROLLBACK);
        assertThat(decision.severity()).isEqualTo(Severity.SEV1);
        assertThat(decision.observed()).isEqualTo(0.0101);
        assertThat(decision.threshold()).isEqualTo(0.01);
        assertThat(decision.unit()).isEqualTo("ratio");
        assertThat(decision.timeToDetect()).isEqualTo(Duration.ofMinutes(5));
        assertThat(decision.breachBegan()).isEqualTo(Harness.START.plusSeconds(1));
        assertThat(decision.description()).isEqualTo("error rate 1.01% > 1% for 5m");
    }

    @ParameterizedTest(name = "{0} failures in 10,000 requests per second -> manual review: {1}")
    @CsvSource({"49, false", "50, false", "51, true", "100, true", "101, false"})
    void errorRateWarningReviewsAboveHalfAPercentUpToOnePercent(int failuresPerTenThousand, boolean reviews) {
        Harness h = Harness.runbook().run(Duration.ofMinutes(15), requests(10_000, failuresPerTenThousand));
        assertThat(h.by(ERROR_RATE_WARNING)).isEmpty();

        h.run(Duration.ofSeconds(1), requests(10_000, failuresPerTenThousand));

        assertThat(h.by(ERROR_RATE_WARNING)).hasSize(reviews ? 1 : 0);
        h.by(ERROR_RATE_WARNING).forEach(d -> {
            assertThat(d.kind()).isEqualTo(Decision.Kind.MANUAL_REVIEW);
            assertThat(d.severity()).isEqualTo(Severity.SEV2);
            assertThat(d.timeToDetect()).isEqualTo(Duration.ofMinutes(15));
        });
    }

    @ParameterizedTest(name = "every request takes {0} ms -> rollback: {1}")
    @CsvSource({"4999, false", "5000, false", "5001, true"})
    void responseTimeRollsBackOnlyAboveFiveSeconds(long millis, boolean rollsBack) {
        Consumer<TriggerEngine> traffic = requests(200, 0, Duration.ofMillis(millis));
        Harness h = Harness.runbook().run(Duration.ofSeconds(600), traffic);
        assertThat(h.by(RESPONSE_TIME)).isEmpty();

        h.run(Duration.ofSeconds(1), traffic);

        assertThat(h.by(RESPONSE_TIME)).hasSize(rollsBack ? 1 : 0);
        h.by(RESPONSE_TIME).forEach(d -> {
            assertThat(d.action()).isEqualTo(APPLICATION_ROLLBACK);
            assertThat(d.observed()).isCloseTo(5.001, Percentage.withPercentage(5));
            assertThat(d.timeToDetect()).isEqualTo(Duration.ofMinutes(10));
        });
    }

    @Test
    void responseTimeLooksAtTheNinetyFifthPercentile() {
        // 94 of 100 fast and 6 slow: the 95th is slow. 95 fast and 5 slow: it is fast.
        Harness slow = Harness.runbook()
                .run(
                        Duration.ofMinutes(11),
                        requests(94, 0, Duration.ofMillis(100)).andThen(requests(6, 0, Duration.ofSeconds(6))));
        Harness fast = Harness.runbook()
                .run(
                        Duration.ofMinutes(11),
                        requests(95, 0, Duration.ofMillis(100)).andThen(requests(5, 0, Duration.ofSeconds(6))));

        assertThat(slow.by(RESPONSE_TIME)).hasSize(1);
        assertThat(fast.by(RESPONSE_TIME)).isEmpty();
    }

    @ParameterizedTest(name = "every request takes {0} ms -> manual review: {1}")
    @CsvSource({"1999, false", "2000, false", "2001, true", "5000, true", "5001, false"})
    void responseTimeWarningReviewsAboveTwoSecondsUpToFive(long millis, boolean reviews) {
        Consumer<TriggerEngine> traffic = requests(100, 0, Duration.ofMillis(millis));
        Harness h = Harness.runbook().run(Duration.ofMinutes(30), traffic);
        assertThat(h.by(RESPONSE_TIME_WARNING)).isEmpty();

        h.run(Duration.ofSeconds(1), traffic);

        assertThat(h.by(RESPONSE_TIME_WARNING)).hasSize(reviews ? 1 : 0);
    }

    @ParameterizedTest(name = "{0} of 200 connection attempts fail -> failover: {1}")
    @CsvSource({"99, false", "100, false", "101, true"})
    void databaseConnectionFailuresFailOverOnlyAboveHalf(int failures, boolean failsOver) {
        Harness h = Harness.runbook().run(Duration.ofSeconds(120), connections(200, failures));
        assertThat(h.by(DATABASE_CONNECTION_FAILURES)).isEmpty();

        h.run(Duration.ofSeconds(1), connections(200, failures));

        assertThat(h.by(DATABASE_CONNECTION_FAILURES)).hasSize(failsOver ? 1 : 0);
        h.by(DATABASE_CONNECTION_FAILURES).forEach(d -> {
            assertThat(d.action()).isEqualTo(DATABASE_FAILOVER);
            assertThat(d.timeToDetect()).isEqualTo(Duration.ofMinutes(2));
        });
    }

    @ParameterizedTest(name = "memory at {0}% -> manual review: {1}")
    @CsvSource({"89.99, false", "90.0, false", "90.01, true"})
    void memoryUsageReviewsOnlyAboveNinetyPercentForTwentyMinutes(double percent, boolean reviews) {
        Harness h = Harness.runbook().run(Duration.ofMinutes(20), e -> e.recordMemoryUsage(percent));
        assertThat(h.by(MEMORY_USAGE_WARNING)).isEmpty();

        h.run(Duration.ofSeconds(1), e -> e.recordMemoryUsage(percent));

        assertThat(h.by(MEMORY_USAGE_WARNING)).hasSize(reviews ? 1 : 0);
    }

    @ParameterizedTest(name = "disk at {0}% -> manual review: {1}")
    @CsvSource({"94.99, false", "95.0, false", "95.01, true"})
    void diskSpaceReviewsOnlyAboveNinetyFivePercentForTenMinutes(double percent, boolean reviews) {
        Harness h = Harness.runbook().run(Duration.ofMinutes(10), e -> e.recordDiskSpace(percent));
        assertThat(h.by(DISK_SPACE_WARNING)).isEmpty();

        h.run(Duration.ofSeconds(1), e -> e.recordDiskSpace(percent));

        assertThat(h.by(DISK_SPACE_WARNING)).hasSize(reviews ? 1 : 0);
    }

    @ParameterizedTest(name = "{0} failed health checks in a row -> manual review: {1}")
    @CsvSource({"2, false", "3, false", "4, true"})
    void failedHealthChecksReviewOnlyAfterMoreThanThreeInARow(int failures, boolean reviews) {
        Harness h = Harness.runbook();
        for (int i = 0; i < failures; i++) {
            h.engine.recordHealthCheck(false);
        }
        h.run(Duration.ofSeconds(1), e -> {});

        assertThat(h.by(FAILED_HEALTH_CHECKS_WARNING)).hasSize(reviews ? 1 : 0);
    }

    @Test
    void aPassingHealthCheckEndsTheRun() {
        Harness h = Harness.runbook();
        for (int i = 0; i < 3; i++) {
            h.engine.recordHealthCheck(false);
        }
        h.engine.recordHealthCheck(true);
        h.engine.recordHealthCheck(false);
        h.run(Duration.ofSeconds(1), e -> {});

        assertThat(h.by(FAILED_HEALTH_CHECKS_WARNING)).isEmpty();
        assertThat(h.engine.state(FAILED_HEALTH_CHECKS_WARNING)).isEqualTo(RuleState.HEALTHY);
    }

    @Test
    void aSecurityBreachLocksTheSystemDownAtOnceWithoutWaitingForAnEvaluation() {
        Harness h = Harness.runbook();

        h.engine.raiseSecurityBreach("admin login from an unknown country");

        assertThat(h.decisions).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo(SECURITY_BREACH);
            assertThat(d.action()).isEqualTo(FULL_SYSTEM_LOCKDOWN);
            assertThat(d.severity()).isEqualTo(Severity.SEV0);
            assertThat(d.timeToDetect()).isZero();
            assertThat(d.description()).isEqualTo("security breach: admin login from an unknown country");
        });
    }

    @Test
    void dataCorruptionRecoversToAPointInTimeAtOnce() {
        Harness h = Harness.runbook();

        h.engine.raiseDataCorruption("checksum mismatch in table invoices");

        assertThat(h.decisions).singleElement().satisfies(d -> {
            assertThat(d.action()).isEqualTo(POINT_IN_TIME_RECOVERY);
            assertThat(d.severity()).isEqualTo(Severity.SEV0);
        });
    }
}
