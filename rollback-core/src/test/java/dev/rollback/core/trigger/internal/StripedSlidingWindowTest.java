package dev.rollback.core.trigger.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StripedSlidingWindowTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void runningSumsEqualTheEventsOfTheirWindowsAsTheySlide() {
        // windows of 3 and 6 slots; events land at random offsets, some in a slot read already
        StripedSlidingWindow window = new StripedSlidingWindow(0, SECOND, 3, 2, 3, 6);
        long[][] perSecond = new long[200][3];
        Random random = new Random(42);
        for (int second = 0; second < 200; second++) {
            int events = random.nextInt(4) == 0 ? 0 : random.nextInt(50);
            for (int i = 0; i < events; i++) {
                long weight = 1 + random.nextInt(1000);
                record(window, second * SECOND + random.nextInt((int) SECOND), weight, i % 7 == 0);
                perSecond[second][0] += weight;
                perSecond[second][1] += 1;
                perSecond[second][2] += i % 7 == 0 ? 1 : 0;
            }
            if (second > 0 && random.nextBoolean()) { // late: recorded after its slot was read
                record(window, (second - 1) * SECOND + SECOND - 1, 5, true);
                perSecond[second - 1][0] += 5;
                perSecond[second - 1][1] += 1;
                perSecond[second - 1][2] += 1;
            }
            long now = second * SECOND + SECOND / 2;
            window.update(now);
            assertThat(window.sum(0)).as("3 slots at %d s", second).containsExactly(expected(perSecond, second, 3));
            assertThat(window.sum(1)).as("6 slots at %d s", second).containsExactly(expected(perSecond, second, 6));
        }
    }

    @Test
    void anUpdateAfterAPauseLongerThanTheRingStartsTheWindowsAfresh() {
        StripedSlidingWindow window = new StripedSlidingWindow(0, SECOND, 3, 1, 4);
        record(window, 0, 10, false);
        window.update(0);
        assertThat(window.sum(0)).containsExactly(10, 1, 0);
        record(window, 100 * SECOND, 7, true);
        window.update(100 * SECOND);
        assertThat(window.sum(0)).containsExactly(7, 1, 1);
        window.update(104 * SECOND);
        assertThat(window.sum(0)).containsExactly(0, 0, 0);
    }

    @Test
    void ownersAndSharersLoseNoEventWhileTheWindowSlidesAndIsRead() throws Exception {
        // one stripe of each kind: the first thread to record owns it, the three others share
        StripedSlidingWindow window = new StripedSlidingWindow(0, SECOND, 3, 1, 80);
        AtomicLong clock = new AtomicLong();
        int threads = 4;
        int perThread = 400_000;
        CountDownLatch done = new CountDownLatch(threads);
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Thread> recorders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread recorder = new Thread(() -> {
                await(start);
                for (int i = 0; i < perThread; i++) {
                    record(window, clock.get(), 1 + i % 5, i % 10 == 0);
                }
                done.countDown();
            });
            recorder.start();
            recorders.add(recorder);
        }
        await(start);
        long reads = 0;
        while (done.getCount() > 0) { // this thread reads and slides the window while they record
            window.update(clock.updateAndGet(now -> Math.min(now + SECOND / 1000, 70 * SECOND)));
            reads++;
        }
        for (Thread recorder : recorders) {
            recorder.join();
        }
        window.update(clock.get());

        long weights = 0;
        for (int i = 0; i < perThread; i++) {
            weights += 1 + i % 5;
        }
        assertThat(reads).isPositive();
        assertThat(window.hasSharedStripes()).isTrue();
        assertThat(window.sum(0))
                .containsExactly(threads * weights, (long) threads * perThread, threads * (perThread / 10L));
    }

    @Test
    void theStripeOfAThreadThatEndedIsOwnedByTheNextWithEveryCountItLeft() throws Exception {
        StripedSlidingWindow window = new StripedSlidingWindow(0, SECOND, 3, 1, 4);
        runInNewThread(() -> record(window, SECOND, 10, true)); // owns the only stripe, then ends
        window.update(SECOND); // sees it ended and frees its stripe
        runInNewThread(() -> record(window, SECOND, 7, false));
        window.update(SECOND);

        assertThat(window.hasSharedStripes())
                .as("the second thread took over the freed stripe")
                .isFalse();
        assertThat(window.sum(0)).containsExactly(17, 2, 1);
    }

    @Test
    void aThreadWhoseStripeIsOwnedByALiveThreadSharesAndIsCounted() throws Exception {
        StripedSlidingWindow window = new StripedSlidingWindow(0, SECOND, 3, 1, 4);
        record(window, SECOND, 10, true); // this thread owns the only stripe and stays alive
        runInNewThread(() -> record(window, SECOND, 7, false));
        window.update(SECOND);

        assertThat(window.hasSharedStripes()).isTrue();
        assertThat(window.sum(0)).containsExactly(17, 2, 1);
    }

    private static void runInNewThread(Runnable task) throws InterruptedException {
        Thread thread = new Thread(task);
        thread.start();
        thread.join();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fields: weight (field 0, added last), count, failures. */
    private static void record(StripedSlidingWindow window, long nowNanos, long weight, boolean failed) {
        window.record(nowNanos, 1, failed ? 2 : -1, weight);
    }

    private static long[] expected(long[][] perSecond, int newest, int slots) {
        long[] sum = new long[3];
        for (int second = Math.max(0, newest - slots + 1); second <= newest; second++) {
            for (int field = 0; field < 3; field++) {
                sum[field] += perSecond[second][field];
            }
        }
        return sum;
    }
}
