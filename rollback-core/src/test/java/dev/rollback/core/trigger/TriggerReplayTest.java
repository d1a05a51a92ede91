package dev.rollback.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class TriggerReplayTest {
    private static final DecisionMatrix QUICK = DecisionMatrix.custom()
            .addRule(TriggerRule.custom()
                    .name("errors")
                    .signal(Signal.ERROR_RATE)
                    .above(0.1)
                    .minimumEvents(5)
                    .window(Duration.ofSeconds(10))
                    .sustain(Duration.ofSeconds(3))
                    .action("application-rollback")
                    .build())
            .addRule(TriggerRule.custom()
                    .name("memory")
                    .signal(Signal.MEMORY_USAGE)
                    .above(90)
                    .action("manual-review")
                    .build())
            .build();

    @Test
    void aTraceIsPlayedThroughTheEngineAndTheDecisionsCarryTraceTime() throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,latency_ms,success,memory_percent\n");
        for (int second = 0; second < 20; second++) {
            for (int i = 0; i < 10; i++) {
                boolean failed = second >= 5 && i < 3; // 30% errors from second 5
                csv.append(1_714_564_800_000L + second * 1000L + i * 10)
                        .append(',')
                        .append("12.5,")
                        .append(!failed)
                        .append(",\n");
            }
        }
        csv.append("2024-05-01T12:00:20Z,,,95\n2024-05-01T12:00:21Z,,,95\n");

        // the 10 s window passes 10% at 12:00:08 (9 failures in 80 requests), and holds for 3 s
        List<Decision> decisions = Replay.csv(QUICK, new StringReader(csv.toString()));

        assertThat(decisions)
                .extracting(Decision::rule, Decision::decidedAt)
                .containsExactly(
                        Tuple.tuple("errors", Instant.parse("2024-05-01T12:00:11Z")),
                        Tuple.tuple("memory", Instant.parse("2024-05-01T12:00:21Z")));
        assertThat(decisions.get(0).breachBegan()).isEqualTo(Instant.parse("2024-05-01T12:00:08Z"));
    }

    @Test
    void badInputNamesTheLineAndTheColumn() {
        assertThatThrownBy(() -> Replay.csv(
                        QUICK, new StringReader("timestamp,latency_ms,success\n1000,12,true\n2000,fast,true\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 3, column 2 (latency_ms): 'fast' is not a latency in milliseconds of at least 0");
        assertThatThrownBy(() -> Replay.csv(QUICK, new StringReader("timestamp,success,latency_ms\n1000,maybe,3\n")))
                .hasMessage("line 2, column 2 (success): 'maybe' is not true or false");
        assertThatThrownBy(() -> Replay.csv(QUICK, new StringReader("timestamp,latency\n")))
                .hasMessageStartingWith("line 1, column 2: 'latency' is not a known column");
        assertThatThrownBy(() -> Replay.csv(QUICK, new StringReader("timestamp,memory_percent\nyesterday,3\n")))
                .hasMessageStartingWith("line 2, column 1 (timestamp): 'yesterday' is not an ISO-8601 instant");
        assertThatThrownBy(() -> Replay.csv(QUICK, new StringReader("timestamp,memory_percent\n2000,3\n1000,3\n")))
                .hasMessageContaining("time order");
    }
}
