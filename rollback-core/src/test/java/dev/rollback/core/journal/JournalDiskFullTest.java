package dev.rollback.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: the disk under the journal fills up. Injected for real: a child JVM writes its journal on
 * a 64 KiB tmpfs mounted in a private mount namespace ({@code unshare -m}, needs root). Invariant:
 * the failing append throws JOURNAL_FAILURE, every acknowledged record is there afterwards, and the
 * chain verifies.
 */
class JournalDiskFullTest {
    @TempDir
    Path dir;

    @Test
    void failsTheAppendThatMeetsAFullDiskAndKeepsEveryAcknowledgedRecord() throws Exception {
        assumeTrue(run(List.of("unshare", "-m", "true")) == 0, "needs root and unshare -m for a private tmpfs");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(
                        "unshare",
                        "-m",
                        "sh",
                        "-c",
                        "mount -t tmpfs -o size=64k tmpfs \"$1\" && exec \"$2\" -cp \"$3\" "
                                + DiskFullMain.class.getName() + " \"$1\"",
                        "sh",
                        dir.toString(),
                        java,
                        System.getProperty("java.class.path")))
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(output).contains("FAILED JOURNAL_FAILURE", "No space left on device", "REREAD");
        long acked = number(output, "ACKED ");
        assertThat(acked).as("some records fit before the disk filled").isBetween(10L, 64L);
        assertThat(output).contains("REREAD " + acked + " VERIFIED");
        assertThat(output)
                .as("the run's next append fails at once instead of waiting for the lost record")
                .contains("NEXT JOURNAL_FAILURE");
    }

    private static long number(String output, String prefix) {
        int at = output.indexOf(prefix);
        assertThat(at).as("output: %s", output).isNotNegative();
        return Long.parseLong(output.substring(at + prefix.length()).split("\\s")[0]);
    }

    private static int run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
