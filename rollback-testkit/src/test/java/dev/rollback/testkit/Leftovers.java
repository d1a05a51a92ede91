package dev.rollback.testkit;

import dev.rollback.testkit.internal.Commands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a server or child process may have left behind: live processes that mention a path. */
public final class Leftovers {
    private Leftovers() {}

    /** Whether {@code pid} runs (a zombie does not count). */
    public static boolean isRunning(long pid) {
        return Commands.isAlive(pid);
    }

    /** The command lines of live processes that contain {@code path}. */
    public static List<String> processesMentioning(Path path) {
        String needle = path.toString();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(p -> commandLine(p.pid()))
                .filter(c -> c.contains(needle))
                .toList();
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
