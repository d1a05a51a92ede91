package dev.rollback.storage.internal;

import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A bounded pool for the per-blob work of one step attempt: {@code concurrency} threads, and at most
 * twice that many tasks admitted (running or queued). {@link #submit} blocks the producer (the
 * listing) while the pool is full: backpressure, so a listing of a million blobs never becomes a
 * million queued tasks. Waits look at {@link StepContext#stopRequested()} every 100 ms, so the
 * step's deadline, an abort or a stall stops them; waiting is not reported as progress. {@link #close()} interrupts what is still running.
 * Tasks record their own outcomes; an exception escaping a task is kept and thrown by
 * {@link #awaitAll}.
 */
public final class Workers implements AutoCloseable {
    private final ExecutorService pool;
    private final Semaphore admitted;
    private final int capacity;
    private final AtomicReference<Throwable> escaped = new AtomicReference<>();

    /** A pool of {@code concurrency} threads named after {@code name}. */
    public Workers(int concurrency, String name) {
        this.capacity = concurrency * 2;
        this.admitted = new Semaphore(capacity);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "rollback-storage-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(concurrency, threads);
    }

    /** Runs {@code task} on the pool once there is room; waits with checkpoints until then. */
    public void submit(StepContext context, Runnable task) throws InterruptedException {
        while (!admitted.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            stopIfAsked(context);
        }
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    escaped.compareAndSet(null, t);
                } finally {
                    admitted.release();
                }
            });
        } catch (RuntimeException e) {
            admitted.release();
            throw e;
        }
    }

    /** Waits until every admitted task ended; rethrows the first exception that escaped a task. */
    public void awaitAll(StepContext context) throws InterruptedException {
        while (!admitted.tryAcquire(capacity, 100, TimeUnit.MILLISECONDS)) {
            stopIfAsked(context);
        }
        admitted.release(capacity);
        Throwable t = escaped.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** Waiting is not progress: only finished work is (so a stall timeout still catches stuck tasks). */
    private static void stopIfAsked(StepContext context) {
        if (context.stopRequested()) {
            throw new StepInterruptedException("stopped while waiting for blob operations in progress: the run was"
                    + " aborted, the step's deadline passed or it was declared stalled");
        }
    }

    /** Interrupts running tasks and stops the threads; waits up to 5 s for them. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
