package dev.rollback.benchmarks.trigger;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.TriggerEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jol.info.GraphLayout;

/**
 * The retained memory of a trigger engine holding the runbook's matrix with its windows full,
 * measured by JOL's object-graph walk (the engine, its rules, windows and their stripes; not the
 * shared clock or the logger). Run it with {@code java -cp ... PresetFootprint}.
 */
public final class PresetFootprint {
    private PresetFootprint() {}

    public static void main(String[] args) throws Exception {
        for (int stripes : new int[] {1, 2, 4}) {
            ManualClock clock = ManualClock.startingAt(Instant.parse("2024-05-01T00:00:00Z"));
            TriggerEngine engine =
                    TriggerEngine.builder().clock(clock).stripes(stripes).build();
            EvaluationBenchmark.fill(engine, clock, new EvaluationBenchmark.BuiltInTraffic(engine));
            GraphLayout layout = engineOnly(engine);
            System.out.printf(
                    "preset matrix, %d stripe(s), every recording thread owns its stripe: %,d bytes in %,d objects%n",
                    stripes, layout.totalSize(), layout.totalCount());
            recordFromMoreLiveThreadsThanStripes(engine, stripes);
            engine.evaluate(); // frees the stripes of the threads that ended
            layout = engineOnly(engine);
            System.out.printf(
                    "preset matrix, %d stripe(s), shared stripes made too: %,d bytes in %,d objects%n",
                    stripes, layout.totalSize(), layout.totalCount());
        }
    }

    /**
     * The engine's graph without the recording threads its owned stripes point to (and all they
     * reach: class loaders, thread locals), which the engine does not keep alive on its own account.
     */
    private static GraphLayout engineOnly(TriggerEngine engine) {
        return GraphLayout.parseInstance(engine).subtract(GraphLayout.parseInstance(Thread.currentThread()));
    }

    /** 2 x stripes + 1 threads alive at once each record a request and a connection: two of them must share an index. */
    private static void recordFromMoreLiveThreadsThanStripes(TriggerEngine engine, int stripes) throws Exception {
        int threads = 2 * stripes + 1;
        CyclicBarrier allAlive = new CyclicBarrier(threads);
        List<Thread> recorders = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread recorder = new Thread(() -> {
                try {
                    allAlive.await();
                    engine.recordRequest(5, TimeUnit.MILLISECONDS, true);
                    engine.recordConnectionAttempt(true);
                    allAlive.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            recorder.start();
            recorders.add(recorder);
        }
        for (Thread recorder : recorders) {
            recorder.join();
        }
    }
}
