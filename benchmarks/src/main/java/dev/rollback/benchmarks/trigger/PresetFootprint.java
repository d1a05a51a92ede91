package dev.rollback.benchmarks.trigger;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.TriggerEngine;

import org.openjdk.jol.info.GraphLayout;

import java.time.Instant;

/**
 * The retained memory of a trigger engine holding the runbook's matrix with its windows full,
 * measured by JOL's object-graph walk (the engine, its rules, windows and their stripes; not the
 * shared clock or the logger). Run it with {@code java -cp ... PresetFootprint}.
 */
public final class PresetFootprint {
    private PresetFootprint() {
    }

    public static void main(String[] args) {
        for (int stripes : new int[] {1, 2, 4}) {
            ManualClock clock = ManualClock.startingAt(Instant.parse("2024-05-01T00:00:00Z"));
            TriggerEngine engine = TriggerEngine.builder().clock(clock).stripes(stripes).build();
            EvaluationBenchmark.fill(engine, clock);
            GraphLayout layout = GraphLayout.parseInstance(engine);
            System.out.printf("preset matrix, %d stripe(s): %,d bytes in %,d objects%n",
                    stripes, layout.totalSize(), layout.totalCount());
        }
    }
}
