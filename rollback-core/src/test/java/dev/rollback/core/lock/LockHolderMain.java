package dev.rollback.core.lock;

import dev.rollback.api.spi.RunLease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A child process for {@link FileRunLockTest}: takes the lock for a key in a directory, prints
 * {@code HELD <token>} or {@code BUSY}, then holds it until killed.
 */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        Optional<RunLease> lease = FileRunLock.of(Path.of(args[0])).tryAcquire(args[1], Duration.ZERO);
        System.out.println(lease.map(l -> "HELD " + l.fencingToken()).orElse("BUSY"));
        System.out.flush();
        if (lease.isPresent()) {
            Thread.sleep(Duration.ofMinutes(5).toMillis());
        }
    }
}
