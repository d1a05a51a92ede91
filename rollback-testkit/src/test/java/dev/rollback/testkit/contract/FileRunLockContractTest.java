package dev.rollback.testkit.contract;

import dev.rollback.api.spi.RunLock;
import dev.rollback.core.journal.internal.FileNames;
import dev.rollback.core.lock.FileRunLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileRunLock} keeps the {@link RunLock} contract: every lock is a new instance on one directory. */
class FileRunLockContractTest extends RunLockContract {
    @TempDir
    Path dir;

    @Override
    protected RunLock createLock() {
        return FileRunLock.custom()
                .directory(dir.resolve("locks"))
                .pollInterval(Duration.ofMillis(5))
                .build();
    }

    /** Someone deletes the lock file under a held lease. */
    @Override
    protected Optional<LeaseBreaker> leaseBreaker() {
        return Optional.of(lease ->
                Files.delete(dir.resolve("locks").resolve(FileNames.encode("key", lease.key()) + ".lock")));
    }

    @Override
    protected Optional<Callable<RunLock>> unreachableLock() {
        return Optional.of(() -> {
            Path file = Files.writeString(dir.resolve("a-file"), "x", StandardCharsets.UTF_8);
            return FileRunLock.of(file.resolve("locks"));
        });
    }
}
