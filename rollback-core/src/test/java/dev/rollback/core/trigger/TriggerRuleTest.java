package dev.rollback.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TriggerRuleTest {

    private static TriggerRule.Builder errorRate() {
        return TriggerRule.custom()
                .name("errors")
                .signal(Signal.ERROR_RATE)
                .above(0.01)
                .action("application-rollback");
    }

    @Test
    void settersRejectBadValuesAtOnceNamingFieldAndValue() {
        assertThatThrownBy(() -> errorRate().above(-0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold")
                .hasMessageContaining("-0.1");
        assertThatThrownBy(() -> errorRate().window(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window")
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> errorRate().minimumEvents(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minimumEvents")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> errorRate().kOfN(4, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("breaches")
                .hasMessageContaining("4");
        assertThatThrownBy(() -> errorRate().sustain(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sustain");
        assertThatThrownBy(() -> errorRate().name("no spaces"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no spaces'");
    }

    @Test
    void buildChecksFieldsTogether() {
        assertThatThrownBy(() -> errorRate().above(1.5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 1.0 ratio")
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> errorRate().clearThreshold(0.02).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clearThreshold")
                .hasMessageContaining("0.02");
        assertThatThrownBy(() -> TriggerRule.custom()
                        .name("x")
                        .signal(Signal.ERROR_RATE)
                        .action("a")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold is required");
        assertThatThrownBy(() -> TriggerRule.custom()
                        .name("x")
                        .signal(Signal.SECURITY_BREACH)
                        .above(1)
                        .action("a")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alarm takes no threshold");
    }

    @Test
    void aBuilderCanBeReusedWithoutChangingWhatItBuilt() {
        TriggerRule.Builder builder = errorRate();
        TriggerRule first = builder.build();

        TriggerRule second = builder.above(0.02).build();

        assertThat(first.threshold()).isEqualTo(0.01);
        assertThat(second.threshold()).isEqualTo(0.02);
    }

    @Test
    void fromCopiesEverySettingAndTheClearThresholdFollowsTheThresholdUnlessSet() {
        TriggerRule base =
                errorRate().holdTime(Duration.ofMinutes(1)).kOfN(2, 3).build();

        TriggerRule changed = TriggerRule.from(base).above(0.02).build();

        assertThat(changed.clearThreshold()).isEqualTo(0.02);
        assertThat(changed.holdTime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(changed.breachesRequired()).isEqualTo(2);
        assertThat(changed.evaluationsConsidered()).isEqualTo(3);
    }

    @Test
    void aResponseTimeThresholdIsADurationReadInSeconds() {
        TriggerRule rule = TriggerRule.custom()
                .name("latency")
                .signal(Signal.RESPONSE_TIME)
                .between(Duration.ofSeconds(2), Duration.ofMillis(5000))
                .action("manual-review")
                .build();

        assertThat(rule.threshold()).isEqualTo(2.0);
        assertThat(rule.upperBound()).hasValue(5.0);
        assertThat(rule.statistic()).isEqualTo(LatencyStatistic.P95);
    }

    @Test
    void theRunbookMatrixCanBeRetunedRuleByRule() {
        DecisionMatrix tuned = DecisionMatrix.from(DecisionMatrix.ofDefaults())
                .configure(DecisionMatrix.ERROR_RATE, r -> r.sustain(Duration.ofMinutes(3)))
                .removeRule(DecisionMatrix.DISK_SPACE_WARNING)
                .build();

        assertThat(tuned.rule(DecisionMatrix.ERROR_RATE))
                .get()
                .extracting(TriggerRule::sustain)
                .isEqualTo(Duration.ofMinutes(3));
        assertThat(tuned.rule(DecisionMatrix.DISK_SPACE_WARNING)).isEmpty();
        assertThat(DecisionMatrix.ofDefaults().rule(DecisionMatrix.ERROR_RATE))
                .get()
                .extracting(TriggerRule::sustain)
                .isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> DecisionMatrix.from(tuned).configure("nope", r -> r))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'");
    }

    @Test
    void theRunbookMatrixHasEveryRowOfTheRunbook() {
        assertThat(DecisionMatrix.ofDefaults().rules())
                .extracting(TriggerRule::name)
                .containsExactly(
                        "error-rate",
                        "response-time",
                        "database-connection-failures",
                        "security-breach",
                        "data-corruption",
                        "error-rate-warning",
                        "response-time-warning",
                        "memory-usage-warning",
                        "disk-space-warning",
                        "failed-health-checks-warning");
    }
}
