package dev.rollback.core.trigger;

import static dev.rollback.core.trigger.Harness.requests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Sustain, k of n, hysteresis, no data, minimum events, episodes, overrides, listeners, the clock. */
class TriggerEngineTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    /** One error-rate rule, > 1% over a 10 s window with at least 100 requests, shaped by {@code shape}. */
    private static Harness errorRate(UnaryOperator<TriggerRule.Builder> shape) {
        TriggerRule rule = shape.apply(TriggerRule.custom()
                        .name("errors")
                        .signal(Signal.ERROR_RATE)
                        .above(0.01)
                        .window(Duration.ofSeconds(10))
                        .action("application-rollback"))
                .build();
        return new Harness(DecisionMatrix.custom().addRule(rule).build());
    }

    @Test
    void oneGoodEvaluationRestartsTheSustainClock() {
        Harness h = errorRate(r -> r.window(SECOND).sustain(Duration.ofSeconds(30)));
        h.run(Duration.ofSeconds(29), requests(1000, 20));
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.PENDING);

        h.run(SECOND, requests(1000, 0));
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);
        h.run(Duration.ofSeconds(30), requests(1000, 20));
        assertThat(h.decisions).isEmpty();

        h.run(SECOND, requests(1000, 20));
        assertThat(h.decisions).singleElement().satisfies(d -> {
            assertThat(d.timeToDetect()).isEqualTo(Duration.ofSeconds(30));
            assertThat(d.breachBegan()).isEqualTo(Harness.START.plusSeconds(31));
        });
    }

    @Test
    void kOfNFiresOnANoisySignalThatNeverHoldsForLong() {
        // breaching every other second: never sustained, but 3 of every 5 evaluations at times
        Harness h = errorRate(r -> r.window(SECOND).kOfN(3, 5));
        int[] second = {0};
        h.run(
                Duration.ofSeconds(4),
                e -> requests(1000, second[0]++ % 2 == 0 ? 20 : 0).accept(e));
        assertThat(h.decisions).isEmpty();

        h.run(SECOND, e -> requests(1000, second[0]++ % 2 == 0 ? 20 : 0).accept(e));

        assertThat(h.decisions).singleElement().satisfies(d -> {
            assertThat(d.breachBegan()).isEqualTo(Harness.START.plusSeconds(1));
            assertThat(d.decidedAt()).isEqualTo(Harness.START.plusSeconds(5));
            assertThat(d.description()).isEqualTo("error rate 2% > 1% in 3 of 5 evaluations");
        });
    }

    @Test
    void kOfNDoesNotFireOnTwoBreachesInFive() {
        Harness h = errorRate(r -> r.window(SECOND).kOfN(3, 5));
        int[] second = {0};
        h.run(
                Duration.ofSeconds(20),
                e -> requests(1000, second[0]++ % 3 == 0 ? 20 : 0).accept(e));

        assertThat(h.decisions).isEmpty();
    }

    @Test
    void hysteresisKeepsAFiringRuleUntilItIsBelowTheClearThresholdForTheHoldTime() {
        Harness h = errorRate(r -> r.window(SECOND).clearThreshold(0.005).holdTime(Duration.ofSeconds(10)));
        h.run(SECOND, requests(1000, 20));
        assertThat(h.decisions).hasSize(1);

        h.run(Duration.ofSeconds(30), requests(1000, 8)); // 0.8%: under the threshold, above the clear threshold
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.FIRING);

        h.run(Duration.ofSeconds(9), requests(1000, 5)); // 0.5%: clear, for 9 s after the first clear evaluation
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.RESOLVING);
        h.run(SECOND, requests(1000, 20)); // breaches again before the hold time: still the same episode
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.FIRING);
        h.run(Duration.ofSeconds(11), requests(1000, 5));
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);
        assertThat(h.decisions).hasSize(1);

        h.run(SECOND, requests(1000, 20));
        assertThat(h.decisions).hasSize(2);
    }

    @Test
    void aRuleThatKeepsFiringDecidesOncePerEpisode() {
        Harness h = errorRate(r -> r.window(SECOND));

        h.run(Duration.ofMinutes(10), requests(1000, 50));
        assertThat(h.decisions).hasSize(1);

        h.run(SECOND, requests(1000, 0)).run(SECOND, requests(1000, 50));
        assertThat(h.decisions).hasSize(2);
    }

    @Test
    void belowTheMinimumOfEventsARuleHasInsufficientDataNeverHealthy() {
        Harness h = errorRate(r -> r.minimumEvents(100));
        h.run(Duration.ofSeconds(9), requests(10, 5)); // 90 requests in the window, half failed

        assertThat(h.engine.state("errors")).isEqualTo(RuleState.INSUFFICIENT_DATA);
        assertThat(h.decisions).isEmpty();

        h.run(SECOND, requests(10, 5)); // the 100th request arrives
        assertThat(h.decisions).hasSize(1);
    }

    @Test
    void insufficientDataRestartsASustainAndDoesNotResolveAFiringRule() {
        Harness h = errorRate(r -> r.window(SECOND).sustain(Duration.ofSeconds(10)));
        h.run(Duration.ofSeconds(9), requests(1000, 20)).run(SECOND, e -> {});
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.INSUFFICIENT_DATA);
        h.run(Duration.ofSeconds(10), requests(1000, 20));
        assertThat(h.decisions).isEmpty();
        h.run(SECOND, requests(1000, 20));
        assertThat(h.decisions).hasSize(1);

        h.run(Duration.ofMinutes(5), e -> {});

        assertThat(h.engine.state("errors")).isEqualTo(RuleState.FIRING);
    }

    @Test
    void noDataTreatedAsFailingFiresOnSilence() {
        Harness h = errorRate(r -> r.noData(NoDataPolicy.FAILING).sustain(Duration.ofSeconds(5)));

        h.run(Duration.ofSeconds(6), e -> {});

        assertThat(h.decisions).singleElement().satisfies(d -> {
            assertThat(d.observed()).isNaN();
            assertThat(d.description()).isEqualTo("error rate no data (treated as failing), threshold > 1% for 5s");
        });
    }

    @Test
    void noDataTreatedAsPassingIsHealthyAndResolvesAFiringRule() {
        Harness h = errorRate(r -> r.window(SECOND).noData(NoDataPolicy.PASSING));
        h.run(SECOND, e -> {});
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);
        h.run(SECOND, requests(1000, 20));
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.FIRING);

        h.run(SECOND, e -> {});

        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);
    }

    @Test
    void aStaleGaugeSampleIsNoData() {
        Harness h = Harness.runbook();
        h.engine.recordMemoryUsage(99);
        h.run(Duration.ofSeconds(60), e -> {});
        assertThat(h.engine.state(DecisionMatrix.MEMORY_USAGE_WARNING)).isEqualTo(RuleState.PENDING);

        h.run(SECOND, e -> {});

        assertThat(h.engine.state(DecisionMatrix.MEMORY_USAGE_WARNING)).isEqualTo(RuleState.INSUFFICIENT_DATA);
    }

    @Test
    void anAlarmFiresOnceUntilClearedAndAgainAfter() {
        Harness h = Harness.runbook();
        h.engine.raiseSecurityBreach("first");
        h.engine.raiseSecurityBreach("second, same episode");
        h.run(Duration.ofSeconds(5), e -> {});
        assertThat(h.decisions).hasSize(1);

        h.engine.clearSecurityBreach();
        h.run(SECOND, e -> {});
        h.engine.raiseSecurityBreach("third");

        assertThat(h.decisions)
                .extracting(Decision::description)
                .containsExactly("security breach: first", "security breach: third");
    }

    @Test
    void heightenedMonitoringTightensAThresholdAndExpiresByItself() {
        Harness h = errorRate(r -> r.window(SECOND));
        h.engine.heightenMonitoring(HeightenedMonitoring.custom()
                .duration(Duration.ofMinutes(10))
                .tighten("errors", 0.002)
                .build());

        h.run(SECOND, requests(1000, 5)); // 0.5%: above the heightened 0.2%
        assertThat(h.decisions)
                .singleElement()
                .satisfies(d -> assertThat(d.threshold()).isEqualTo(0.002));
        h.run(Duration.ofMinutes(10), requests(1000, 0));
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);

        h.run(Duration.ofMinutes(1), requests(1000, 5));

        assertThat(h.decisions).hasSize(1);
        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);
    }

    @Test
    void heightenedMonitoringRefusesALooserThresholdAndAnUnknownRule() {
        Harness h = errorRate(r -> r);

        assertThatThrownBy(() -> h.engine.heightenMonitoring(HeightenedMonitoring.custom()
                        .duration(SECOND)
                        .tighten("errors", 0.02)
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'errors'")
                .hasMessageContaining("0.02");
        assertThatThrownBy(() -> h.engine.heightenMonitoring(HeightenedMonitoring.custom()
                        .duration(SECOND)
                        .tighten("nope", 0.001)
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'");
    }

    @Test
    void aWallClockJumpingBackwardsDoesNotCorruptWindowsOrSustain() {
        Harness h = errorRate(r -> r.window(Duration.ofSeconds(10)).sustain(Duration.ofSeconds(20)));
        h.run(Duration.ofSeconds(10), requests(1000, 20));
        Instant beforeJump = h.clock.instant();

        h.clock.setInstant(beforeJump.minus(Duration.ofHours(1)));
        h.run(Duration.ofSeconds(11), requests(1000, 20));

        assertThat(h.decisions).singleElement().satisfies(d -> {
            assertThat(d.observed()).isEqualTo(0.02);
            assertThat(d.timeToDetect()).isEqualTo(Duration.ofSeconds(20));
            assertThat(d.decidedAt())
                    .isEqualTo(beforeJump.minus(Duration.ofHours(1)).plusSeconds(11));
        });
    }

    @Test
    void theWindowForgetsWhatIsOlderThanIt() {
        Harness h = errorRate(r -> r.window(Duration.ofSeconds(10)).minimumEvents(1));
        h.run(SECOND, requests(100, 100)); // all failed, then nothing
        h.run(Duration.ofSeconds(9), requests(1000, 0));
        assertThat(h.decisions).hasSize(1);
        h.run(SECOND, requests(1000, 0));

        assertThat(h.engine.state("errors")).isEqualTo(RuleState.HEALTHY);
    }

    @Test
    void aListenerThatThrowsBreaksNeitherTheEngineNorTheOtherListeners() {
        List<Decision> received = new CopyOnWriteArrayList<>();
        Harness h = new Harness(DecisionMatrix.ofDefaults());
        TriggerEngine engine = TriggerEngine.builder()
                .clock(h.clock)
                .onDecision(d -> {
                    throw new IllegalStateException("listener bug");
                })
                .onDecision(received::add)
                .build();

        engine.raiseDataCorruption("bad page");
        engine.raiseSecurityBreach("intrusion");

        assertThat(received)
                .extracting(Decision::rule)
                .containsExactly(DecisionMatrix.DATA_CORRUPTION, DecisionMatrix.SECURITY_BREACH);
    }

    @SuppressWarnings("try") // closed inside the try on purpose: a closed engine must refuse to start
    @Test
    void aStartedEngineEvaluatesOnItsOwnThreadUntilClosed() throws InterruptedException {
        CountDownLatch decided = new CountDownLatch(1);
        Harness h = new Harness(DecisionMatrix.ofDefaults());
        try (TriggerEngine engine = TriggerEngine.builder()
                .clock(h.clock)
                .evaluationInterval(Duration.ofMillis(10))
                .onDecision(d -> decided.countDown())
                .build()) {
            for (int i = 0; i < 4; i++) {
                engine.recordHealthCheck(false);
            }
            engine.start();

            assertThat(decided.await(10, TimeUnit.SECONDS)).isTrue();
            engine.close();
            assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class);
        }
    }
}
