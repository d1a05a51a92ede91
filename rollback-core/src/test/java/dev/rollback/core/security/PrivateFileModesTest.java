package dev.rollback.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.internal.PrivateFiles;
import dev.rollback.api.spi.RunLease;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.FileRunLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journal, anchor, lock and token files are 0600 and their directories 0700, even under a lax umask. */
class PrivateFileModesTest {
    @TempDir
    Path root;

    @BeforeEach
    void posixOnly() {
        assumeThat(PrivateFiles.posix(root)).isTrue();
    }

    @Test
    void theJournalsFilesAreOwnerOnlyAndALaxJournalDirectoryIsMadePrivate() throws IOException {
        Path directory = root.resolve("journal");
        Files.createDirectory(
                directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        FileJournal journal = FileJournal.of(directory);
        RollbackPlan plan = RollbackPlan.builder("modes", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("swap", "app").build())
                .build();
        try (RollbackExecutor executor =
                RollbackExecutor.builder().journal(journal).build()) {
            executor.run(plan, RunRequest.drill("test"));
        }

        assertThat(mode(directory)).isEqualTo("rwx------");
        List<Path> files = list(directory);
        assertThat(files).isNotEmpty();
        assertThat(files).allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
    }

    @Test
    void aPreExistingWorldReadableJournalFileIsTightenedWhenOpened() throws IOException {
        Path directory = Files.createDirectory(root.resolve("j2"));
        FileJournal journal = FileJournal.of(directory);
        RollbackPlan plan = RollbackPlan.builder("modes", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("swap", "app").build())
                .build();
        try (RollbackExecutor executor =
                RollbackExecutor.builder().journal(journal).build()) {
            executor.run(plan, RunRequest.drill("test"));
        }
        for (Path f : list(directory)) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Path anyFile = list(directory).get(0);
        PrivateFiles.open(anyFile, StandardOpenOption.READ).close();
        assertThat(mode(anyFile)).isEqualTo("rw-------");
    }

    @Test
    void lockAndTokenFilesAreOwnerOnlyInAPrivateDirectory() throws Exception {
        Path directory = root.resolve("locks");
        FileRunLock lock = FileRunLock.of(directory);
        try (RunLease lease = lock.tryAcquire("plan-a", Duration.ZERO).orElseThrow()) {
            assertThat(lease.fencingToken()).isPositive();
            assertThat(mode(directory)).isEqualTo("rwx------");
            List<Path> files = list(directory);
            assertThat(files).hasSizeGreaterThanOrEqualTo(2);
            assertThat(files)
                    .allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
        }
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
