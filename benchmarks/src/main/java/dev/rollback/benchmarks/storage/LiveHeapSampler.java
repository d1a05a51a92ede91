package dev.rollback.benchmarks.storage;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live heap, sampled exactly: a thread forces a full collection ({@code System.gc()}) every
 * interval and reads the heap in use right after it, keeping the largest. The live set before the
 * work (taken at start, after a full collection) subtracted from the peak is what the work held.
 * Intrusive (each sample stops the world): use it for memory figures, never for timings.
 */
final class LiveHeapSampler {
    /** The figures, in bytes. */
    record Result(long before, long peak, long samples) {}

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final long before;
    private final Thread thread;
    private volatile boolean running = true;

    private LiveHeapSampler(Duration interval) {
        System.gc();
        before = memory.getHeapMemoryUsage().getUsed();
        peak.set(before);
        thread = new Thread(
                () -> {
                    while (running) {
                        try {
                            Thread.sleep(interval.toMillis());
                        } catch (InterruptedException e) {
                            return;
                        }
                        System.gc();
                        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                        samples.incrementAndGet();
                    }
                },
                "live-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    static LiveHeapSampler start(Duration interval) {
        return new LiveHeapSampler(interval);
    }

    Result stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(before, peak.get(), samples.get());
    }
}
