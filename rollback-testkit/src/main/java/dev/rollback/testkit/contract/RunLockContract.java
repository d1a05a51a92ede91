package dev.rollback.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link RunLock} and {@link RunLease} contract as tests: extend it with a factory for your
 * lock, and every rule their javadoc states is checked (exclusivity across instances on one store and
 * across threads, no reentrance, independent keys, fencing tokens that only grow, waiting and
 * interrupted acquisition, release from any thread and twice, a lost lease noticed and never held
 * again, fail closed). As Micrometer's {@code MeterRegistryCompatibilityKit} does for registries.
 *
 * <pre>{@code
 * class MyRunLockTest extends RunLockContract {
 *     @TempDir Path dir;
 *
 *     @Override
 *     protected RunLock createLock() {
 *         return MyRunLock.open(dir);                        // a new instance on the same store
 *     }
 *
 *     @Override
 *     protected Optional<LeaseBreaker> leaseBreaker() {
 *         return Optional.of(lease -> killTheSessionOf(lease)); // if leases can be lost
 *     }
 * }
 * }</pre>
 *
 * <p>Each test uses keys of its own ({@code contract-<uuid>}), so the store may be shared by the tests
 * of a class. The kit closes every lease it took after each test.
 */
public abstract class RunLockContract {
    private final List<RunLease> leases = new CopyOnWriteArrayList<>();

    /**
     * A lock on the store under test, called whenever a test needs a lock or a second one: a new
     * instance on the same store where instances share a store (a directory, a database); the same
     * instance where the instance is the store (an in-process lock).
     *
     * @return the lock
     * @throws Exception if it cannot be opened
     */
    protected abstract RunLock createLock() throws Exception;

    /**
     * How the kit makes a lease lost without closing it (kill its database session, replace its lock
     * file); empty if leases of this lock cannot be lost, which skips that test.
     *
     * @return the breaker, or empty
     */
    protected Optional<LeaseBreaker> leaseBreaker() {
        return Optional.empty();
    }

    /**
     * How long a lease may take to notice it was lost ({@link RunLease#isHeld()} false). Default: 30 s.
     *
     * @return the bound
     */
    protected Duration leaseLossBound() {
        return Duration.ofSeconds(30);
    }

    /**
     * Opens a lock on a store that cannot be reached; opening itself may throw. Empty skips the
     * fail-closed test.
     *
     * @return a way to open such a lock, or empty
     */
    protected Optional<Callable<RunLock>> unreachableLock() {
        return Optional.empty();
    }

    /**
     * Strings that must never appear in an exception message of the lock (the store's password).
     * Default: none.
     *
     * @return the secrets
     */
    protected Set<String> secrets() {
        return Set.of();
    }

    /** Makes a held lease lost behind its back, as a dead session or a replaced lock file does. */
    @FunctionalInterface
    public interface LeaseBreaker {
        /**
         * Makes {@code lease} lost without closing it.
         *
         * @param lease a held lease
         * @throws Exception if it cannot
         */
        void breakLease(RunLease lease) throws Exception;
    }

    @AfterEach
    final void closeLeasesTaken() {
        leases.forEach(RunLease::close);
    }

    /** A key of this test alone. */
    protected static String newKey() {
        return "contract-" + UUID.randomUUID();
    }

    private Optional<RunLease> take(RunLock lock, String key, Duration wait) throws InterruptedException {
        Optional<RunLease> lease = lock.tryAcquire(key, wait);
        lease.ifPresent(leases::add);
        return lease;
    }

    private RunLock newLock() throws Exception {
        RunLock lock = createLock();
        assertThat(lock).as("createLock() returned null").isNotNull();
        return lock;
    }

    // ---------------------------------------------------------------- acquiring

    @Test
    void aFreeKeyIsTakenAtOnceWithAPositiveTokenAndHeld() throws Exception {
        String key = newKey();
        RunLease lease = take(newLock(), key, Duration.ZERO).orElseThrow();
        assertThat(lease.key()).isEqualTo(key);
        assertThat(lease.fencingToken()).isPositive();
        assertThat(lease.isHeld()).isTrue();
    }

    @Test
    void aHeldKeyIsRefusedToASecondLockOnTheSameStoreUntilItIsReleased() throws Exception {
        String key = newKey();
        RunLock first = newLock();
        RunLock second = newLock();
        RunLease held = take(first, key, Duration.ZERO).orElseThrow();
        assertThat(take(second, key, Duration.ZERO)).as("one try").isEmpty();
        assertThat(take(second, key, Duration.ofMillis(300)))
                .as("after waiting")
                .isEmpty();
        assertThat(held.isHeld()).isTrue();
        held.close();
        RunLease next = take(second, key, Duration.ofSeconds(10)).orElseThrow();
        assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
    }

    @Test
    void aLockIsNotReentrantEvenInTheHoldersThread() throws Exception {
        String key = newKey();
        RunLock lock = newLock();
        take(lock, key, Duration.ZERO).orElseThrow();
        assertThat(take(lock, key, Duration.ZERO)).isEmpty();
    }

    @Test
    void keysAreIndependent() throws Exception {
        RunLock lock = newLock();
        RunLease a = take(lock, newKey(), Duration.ZERO).orElseThrow();
        RunLease b = take(newLock(), newKey(), Duration.ZERO).orElseThrow();
        assertThat(a.isHeld()).isTrue();
        assertThat(b.isHeld()).isTrue();
    }

    @Test
    void tokensOnlyGrowAcrossReleasesAndInstances() throws Exception {
        String key = newKey();
        long last = 0;
        for (int i = 0; i < 4; i++) {
            RunLease lease = take(newLock(), key, Duration.ofSeconds(10)).orElseThrow();
            assertThat(lease.fencingToken()).isGreaterThan(last);
            last = lease.fencingToken();
            lease.close();
        }
    }

    @Test
    void aWaitingAcquireGetsTheKeyOnceItIsReleasedWithAHigherToken() throws Exception {
        String key = newKey();
        RunLease held = take(newLock(), key, Duration.ZERO).orElseThrow();
        RunLock waiter = newLock();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch trying = new CountDownLatch(1);
            Future<Optional<RunLease>> waiting = thread.submit(() -> {
                trying.countDown();
                return take(waiter, key, Duration.ofSeconds(60));
            });
            assertThat(trying.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100);
            assertThat(waiting).as("the key is still held").isNotDone();
            held.close();
            RunLease next = waiting.get(60, TimeUnit.SECONDS).orElseThrow();
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void anInterruptedWaitThrowsAndHoldsNothing() throws Exception {
        String key = newKey();
        RunLease held = take(newLock(), key, Duration.ZERO).orElseThrow();
        RunLock waiter = newLock();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<RunLease>> waiting = thread.submit(() -> take(waiter, key, Duration.ofSeconds(60)));
            Thread.sleep(100);
            waiting.cancel(true);
            thread.shutdown();
            assertThat(thread.awaitTermination(30, TimeUnit.SECONDS))
                    .as("the interrupted acquire returned")
                    .isTrue();
        } finally {
            thread.shutdownNow();
        }
        ExecutorService direct = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<RunLease>> interrupted = direct.submit(() -> {
                Thread.currentThread().interrupt();
                return take(waiter, key, Duration.ofSeconds(60));
            });
            assertThatThrownBy(() -> interrupted.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
        } finally {
            direct.shutdownNow();
        }
        held.close();
        assertThat(take(newLock(), key, Duration.ofSeconds(10)))
                .as("no interrupted acquire kept the key")
                .isPresent();
    }

    // ---------------------------------------------------------------- releasing

    @Test
    void closeIsIdempotentQuietAndAllowedFromAnotherThread() throws Exception {
        String key = newKey();
        RunLock lock = newLock();
        RunLease lease = take(lock, key, Duration.ZERO).orElseThrow();
        Thread other = new Thread(() -> {
            lease.close();
            lease.close();
        });
        other.start();
        other.join(30_000);
        assertThat(other.isAlive()).isFalse();
        lease.close();
        assertThat(lease.isHeld()).isFalse();
        RunLease next = take(lock, key, Duration.ofSeconds(10)).orElseThrow();
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
        assertThat(lease.isHeld()).as("an old lease stays released").isFalse();
    }

    // ---------------------------------------------------------------- threads

    @Test
    void threadsOnSeveralLocksNeverHoldAKeyTogetherAndTokensFollowTheOrderOfHolding() throws Exception {
        String key = newKey();
        int threads = 4;
        int rounds = 5;
        AtomicInteger inside = new AtomicInteger();
        List<Long> tokensInOrder = new CopyOnWriteArrayList<>();
        List<Integer> overlaps = new CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                RunLock lock = newLock();
                work.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int r = 0; r < rounds; r++) {
                        RunLease lease = lock.tryAcquire(key, Duration.ofSeconds(60))
                                .orElseThrow(() -> new AssertionError("no lease within 60 s"));
                        try {
                            int now = inside.incrementAndGet();
                            if (now != 1) {
                                overlaps.add(now);
                            }
                            tokensInOrder.add(lease.fencingToken());
                            Thread.sleep(2);
                            inside.decrementAndGet();
                        } finally {
                            lease.close();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlaps).as("holders at the same time").isEmpty();
        assertThat(tokensInOrder).hasSize(threads * rounds);
        for (int i = 1; i < tokensInOrder.size(); i++) {
            assertThat(tokensInOrder.get(i))
                    .as("token of holder %d against the one before it, in %s", i, tokensInOrder)
                    .isGreaterThan(tokensInOrder.get(i - 1));
        }
    }

    // ---------------------------------------------------------------- lost leases

    @Test
    void aLostLeaseIsNoticedStaysLostAndNeverReleasesTheNextHolder() throws Exception {
        Optional<LeaseBreaker> breaker = leaseBreaker();
        assumeTrue(breaker.isPresent(), "leases of this lock cannot be lost (no leaseBreaker())");
        String key = newKey();
        RunLease lost = take(newLock(), key, Duration.ZERO).orElseThrow();
        breaker.get().breakLease(lost);
        long deadline = System.nanoTime() + leaseLossBound().toNanos();
        while (lost.isHeld()) {
            if (System.nanoTime() > deadline) {
                fail("the lost lease still said it was held after " + leaseLossBound());
            }
            Thread.sleep(20);
        }
        assertThat(lost.isHeld()).as("a lost lease is never held again").isFalse();

        RunLock other = newLock();
        Optional<RunLease> before = take(other, key, Duration.ZERO);
        RunLease next;
        if (before.isPresent()) {
            // The store freed the key with the loss: closing the lost lease must not free it again.
            next = before.get();
            lost.close();
            assertThat(next.isHeld()).isTrue();
            assertThat(take(newLock(), key, Duration.ZERO))
                    .as("closing the lost lease released the next holder's")
                    .isEmpty();
        } else {
            // The store keeps the key until the lost lease is closed (allowed).
            lost.close();
            next = take(other, key, Duration.ofSeconds(10)).orElseThrow();
        }
        assertThat(next.fencingToken()).isGreaterThan(lost.fencingToken());
        assertThat(lost.isHeld()).isFalse();
    }

    // ---------------------------------------------------------------- arguments and failures

    @Test
    void aNegativeWaitAndNullsAreRefused() throws Exception {
        RunLock lock = newLock();
        assertThatThrownBy(() -> take(lock, newKey(), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wait");
        assertThatThrownBy(() -> take(lock, null, Duration.ZERO)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> take(lock, newKey(), null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anUnreachableStoreFailsClosedNamingNoSecret() {
        Optional<Callable<RunLock>> unreachable = unreachableLock();
        assumeTrue(unreachable.isPresent(), "no unreachable store given (unreachableLock())");
        Throwable thrown = null;
        try {
            Optional<RunLease> lease = take(unreachable.get().call(), newKey(), Duration.ZERO);
            fail("an unreachable store answered " + lease + " instead of failing closed");
        } catch (Exception e) {
            thrown = e;
        }
        assertThat(thrown)
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_UNAVAILABLE));
        for (String secret : secrets()) {
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
            }
        }
    }
}
