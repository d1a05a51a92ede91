package dev.rollback.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.integrations.internal.Digests;
import dev.rollback.integrations.spi.ConfigConflictException;
import dev.rollback.integrations.spi.ConfigDocument;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigStoreTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void readsAFileAsADocumentWhoseVersionIsItsDigestPrefix() throws Exception {
        Files.writeString(dir.resolve("monitoring.json"), "{\"sink\":\"primary\"}");
        FileConfigStore store = FileConfigStore.of(dir);

        ConfigDocument d = store.read("monitoring.json", T).orElseThrow();

        assertThat(d.name()).isEqualTo("monitoring.json");
        assertThat(d.sha256()).isEqualTo(Digests.sha256("{\"sink\":\"primary\"}"));
        assertThat(d.version()).isEqualTo(d.sha256().substring(0, 12));
        assertThat(d.toString()).doesNotContain("primary").contains(d.sha256());
        assertThat(store.read("absent.json", T)).isEmpty();
        assertThat(store.previous("monitoring.json", T)).isEmpty();
    }

    @Test
    void replaceWritesTheNewTextKeepsTheOldAsPreviousAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("monitoring.json");
        Files.writeString(file, "old");
        FileConfigStore store = FileConfigStore.of(dir);
        ConfigDocument old = store.read("monitoring.json", T).orElseThrow();

        ConfigDocument written = store.replace("monitoring.json", old, "new", "test", T);

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(written.sha256()).isEqualTo(Digests.sha256("new"));
        assertThat(store.previous("monitoring.json", T).orElseThrow().sameContentAs(old))
                .isTrue();
        assertThat(Files.readString(dir.resolve(".monitoring.json.previous"))).isEqualTo("old");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(".tmp"))
                    .contains("monitoring.json", ".monitoring.json.previous");
        }
    }

    @Test
    void replaceRefusesAVersionOtherThanTheOneReadAndWritesNothing() throws Exception {
        Path file = dir.resolve("auth.json");
        Files.writeString(file, "v1");
        FileConfigStore store = FileConfigStore.of(dir);
        ConfigDocument read = store.read("auth.json", T).orElseThrow();
        Files.writeString(file, "someone else's edit");

        assertThatThrownBy(() -> store.replace("auth.json", read, "v2", "test", T))
                .isInstanceOf(ConfigConflictException.class)
                .hasMessageContaining("'auth.json' changed since it was read")
                .hasMessageContaining(read.version());
        assertThat(Files.readString(file)).isEqualTo("someone else's edit");
        assertThat(store.previous("auth.json", T)).isEmpty();
    }

    @Test
    void theNewFileKeepsThePermissionsOfTheOldOne() throws Exception {
        Path file = dir.resolve("agent.conf");
        Files.writeString(file, "a");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        FileConfigStore store = FileConfigStore.of(dir);

        store.replace("agent.conf", store.read("agent.conf", T).orElseThrow(), "b", "test", T);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(".agent.conf.previous"))))
                .isEqualTo("rw-r-----");
    }

    @Test
    void concurrentWritersFromTheSameVersionNeverOverwriteEachOther() throws Exception {
        Path file = dir.resolve("race.json");
        Files.writeString(file, "base");
        FileConfigStore store = FileConfigStore.of(dir);
        ConfigDocument base = store.read("race.json", T).orElseThrow();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] writers = new Future<?>[8];
            for (int i = 0; i < writers.length; i++) {
                String text = "writer-" + i;
                writers[i] = pool.submit(() -> {
                    try {
                        store.replace("race.json", base, text, "test", T);
                    } catch (ConfigConflictException e) {
                        conflicts.incrementAndGet();
                    }
                });
            }
            for (Future<?> f : writers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(conflicts.get()).isEqualTo(7);
        assertThat(Files.readString(file)).startsWith("writer-");
        assertThat(Files.readString(dir.resolve(".race.json.previous"))).isEqualTo("base");
    }

    @Test
    void aTemporaryFileLeftByACrashedWriterIsRemovedByTheNextReplace() throws Exception {
        Files.writeString(dir.resolve("m.json"), "old");
        Path stale = dir.resolve(".m.json~0011223344556677.tmp");
        Files.writeString(stale, "half a writ");
        Path otherConfigsTemp = dir.resolve(".m.json.x~0011223344556677.tmp");
        Files.writeString(otherConfigsTemp, "another config's");
        FileConfigStore store = FileConfigStore.of(dir);

        store.replace("m.json", store.read("m.json", T).orElseThrow(), "new", "test", T);

        assertThat(stale).doesNotExist();
        assertThat(otherConfigsTemp).exists();
    }

    @Test
    void refusesToReplaceASymbolicLinkAndNamesIt() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real")).resolve("cfg.json");
        Files.writeString(real, "x");
        Files.createSymbolicLink(dir.resolve("cfg.json"), real);
        FileConfigStore store = FileConfigStore.of(dir);
        ConfigDocument read = store.read("cfg.json", T).orElseThrow();

        assertThatThrownBy(() -> store.replace("cfg.json", read, "y", "test", T))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("'cfg.json' is a symbolic link");
        assertThat(Files.readString(real)).isEqualTo("x");
    }

    @Test
    void aFileThatIsNotUtf8IsAClearError() throws Exception {
        Files.write(dir.resolve("bin.dat"), new byte[] {(byte) 0xC3, (byte) 0x28});
        FileConfigStore store = FileConfigStore.of(dir);
        assertThatThrownBy(() -> store.read("bin.dat", T)).hasMessageContaining("bin.dat is not UTF-8 text");
    }

    @Test
    void namesThatCouldLeaveTheFolderAreRefusedBeforeAnyIo() {
        FileConfigStore store = FileConfigStore.of(dir.resolve("does-not-exist"));
        for (String bad : new String[] {"../etc/passwd", "a/b", ".hidden", "", "x\ny", "-rf"}) {
            assertThatThrownBy(() -> store.read(bad, T))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
        }
    }

    @Test
    void aMissingFolderIsAnExternalFailureNamingTheStore() {
        FileConfigStore store = FileConfigStore.of(dir.resolve("unmounted"));
        assertThatThrownBy(() -> store.read("m.json", T))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("file store " + dir.resolve("unmounted"))
                .hasMessageContaining("unreachable");
    }

    @Test
    void writesBytesExactlyAsUtf8() throws Exception {
        Files.writeString(dir.resolve("u.txt"), "a");
        FileConfigStore store = FileConfigStore.of(dir);
        store.replace("u.txt", store.read("u.txt", T).orElseThrow(), "ünïcødé ✓", "test", T);
        assertThat(Files.readAllBytes(dir.resolve("u.txt"))).isEqualTo("ünïcødé ✓".getBytes(StandardCharsets.UTF_8));
    }
}
