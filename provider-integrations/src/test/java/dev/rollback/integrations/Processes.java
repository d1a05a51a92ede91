package dev.rollback.integrations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: whether a process still runs (a zombie waiting to be reaped does not). */
final class Processes {
    private Processes() {}

    static boolean isRunning(long pid) throws InterruptedException {
        // a SIGKILLed process disappears (or turns zombie) within moments; allow the kernel that long
        for (int i = 0; i < 100; i++) {
            if (!alive(pid)) {
                return false;
            }
            Thread.sleep(20);
        }
        return alive(pid);
    }

    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
