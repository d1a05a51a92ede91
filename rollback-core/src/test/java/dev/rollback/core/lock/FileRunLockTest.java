package dev.rollback.core.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.RunLease;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRunLockTest {
    @TempDir
    Path dir;

    @Test
    void excludesASecondHolderFromAnotherInstanceOnTheSameDirectory() throws Exception {
        FileRunLock one = FileRunLock.of(dir);
        FileRunLock two = FileRunLock.of(dir);

        try (RunLease lease = one.tryAcquire("plan-a", Duration.ZERO).orElseThrow()) {
            assertThat(two.tryAcquire("plan-a", Duration.ofMillis(120))).isEmpty();
            assertThat(one.tryAcquire("plan-a", Duration.ZERO)).isEmpty();
            assertThat(two.tryAcquire("plan-b", Duration.ZERO)).isPresent();
            assertThat(lease.isHeld())
                    .as("a refused attempt must not drop the holder's lock")
                    .isTrue();
        }
        assertThat(two.tryAcquire("plan-a", Duration.ZERO)).isPresent();
    }

    @Test
    void handsOutTokensThatOnlyGrowAcrossReleasesAndNewInstances() throws Exception {
        long previous = 0;
        for (int i = 0; i < 4; i++) {
            try (RunLease lease =
                    FileRunLock.of(dir).tryAcquire("plan-a", Duration.ZERO).orElseThrow()) {
                assertThat(lease.fencingToken()).isGreaterThan(previous);
                previous = lease.fencingToken();
            }
        }
        assertThat(previous).isEqualTo(4);
    }

    @Test
    void keepsTokensGrowingWhenTheTokenFileIsDeleted() throws Exception {
        FileRunLock lock = FileRunLock.of(dir);
        lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow().close();
        lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow().close();
        Files.delete(dir.resolve("plan-a.token"));

        try (RunLease lease = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow()) {
            assertThat(lease.fencingToken()).isEqualTo(3);
        }
    }

    @Test
    void saysTheLeaseIsNoLongerHeldWhenReleasedOrWhenItsLockFileIsDeleted() throws Exception {
        FileRunLock lock = FileRunLock.of(dir);
        RunLease released = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow();
        released.close();
        released.close();
        assertThat(released.isHeld()).isFalse();

        RunLease lease = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow();
        assertThat(lease.isHeld()).isTrue();
        Files.delete(dir.resolve("plan-a.lock"));
        assertThat(lease.isHeld()).isFalse();
        lease.close();
    }

    @Test
    void failsClosedNamingADirectoryThatCannotBeCreated() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x", StandardCharsets.UTF_8)
                .resolve("locks");
        FileRunLock lock = FileRunLock.of(notADirectory);

        assertThatThrownBy(() -> lock.tryAcquire("plan-a", Duration.ZERO))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_UNAVAILABLE))
                .hasMessageContaining(notADirectory.toString());
    }

    @Test
    void failsClosedOnAnUnreadableTokenFile() throws Exception {
        Files.writeString(dir.resolve("plan-a.token"), "not a number", StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> FileRunLock.of(dir).tryAcquire("plan-a", Duration.ZERO))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_UNAVAILABLE))
                .hasMessageContaining(dir.toString());
        assertThat(FileRunLock.of(dir).tryAcquire("plan-b", Duration.ZERO))
                .as("other keys still work")
                .isPresent();
    }

    @Test
    void rejectsBadConfigurationNamingTheFieldAndValue() {
        assertThatThrownBy(() -> FileRunLock.custom().pollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pollInterval must be between 1 ms and 10 s, but was PT0S");
        assertThatThrownBy(() -> FileRunLock.custom().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("directory is required");
        assertThatThrownBy(() -> FileRunLock.of(dir).tryAcquire("", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key must not be empty");
    }

    @Test
    void excludesAnotherProcessUntilTheKernelReleasesTheLockOfItsKilledHolder() throws Exception {
        Process child = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolderMain.class.getName(),
                        dir.toString(),
                        "plan-a"))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("HELD ");
            long childToken = Long.parseLong(line.substring(5));

            FileRunLock lock = FileRunLock.of(dir);
            assertThat(lock.tryAcquire("plan-a", Duration.ofMillis(200))).isEmpty();

            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (RunLease lease =
                    lock.tryAcquire("plan-a", Duration.ofSeconds(10)).orElseThrow()) {
                assertThat(lease.fencingToken()).isGreaterThan(childToken);
            }
        } finally {
            child.destroyForcibly();
        }
    }
}
