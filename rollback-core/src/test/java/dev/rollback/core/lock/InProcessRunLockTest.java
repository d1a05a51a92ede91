package dev.rollback.core.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.spi.RunLease;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InProcessRunLockTest {
    private final InProcessRunLock lock = new InProcessRunLock();

    @Test
    void excludesASecondHolderOfTheSameKeyButNotOfAnother() throws Exception {
        RunLease first = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow();

        assertThat(lock.tryAcquire("plan-a", Duration.ofMillis(20))).isEmpty();
        assertThat(lock.tryAcquire("plan-b", Duration.ZERO)).isPresent();
        assertThat(first.isHeld()).isTrue();
        assertThat(first.key()).isEqualTo("plan-a");
    }

    @Test
    void handsOutTokensThatOnlyGrowAcrossReleaseAndReacquire() throws Exception {
        long previous = 0;
        for (int i = 0; i < 5; i++) {
            RunLease lease = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow();
            assertThat(lease.fencingToken()).isGreaterThan(previous);
            previous = lease.fencingToken();
            lease.close();
            assertThat(lease.isHeld()).isFalse();
        }
    }

    @Test
    void releasingTwiceIsHarmlessAndDoesNotFreeAnotherHolder() throws Exception {
        RunLease first = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow();
        first.close();
        RunLease second = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow();
        first.close();

        assertThat(lock.tryAcquire("plan-a", Duration.ZERO)).isEmpty();
        assertThat(second.isHeld()).isTrue();
    }

    @Test
    void aWaiterGetsTheLockWhenTheHolderReleasesIt() throws Exception {
        RunLease first = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow();
        CompletableFuture<Optional<RunLease>> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return lock.tryAcquire("plan-a", Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        first.close();

        RunLease second = waiter.get(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
    }

    @Test
    void rejectsANegativeWait() {
        assertThatThrownBy(() -> lock.tryAcquire("plan-a", Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wait must not be negative, but was PT-0.001S");
    }
}
