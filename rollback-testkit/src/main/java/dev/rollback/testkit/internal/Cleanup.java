package dev.rollback.testkit.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Closes what the testkit started when the JVM exits, in reverse order of registration, so that a
 * test that forgets to stop a server (or a JVM that exits early) leaves no process behind.
 */
public final class Cleanup {
    private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private Cleanup() {}

    /** Closes {@code resource} at JVM exit unless it is {@link #unregister(AutoCloseable) unregistered} first. */
    public static synchronized void register(AutoCloseable resource) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "rollback-testkit-cleanup"));
            hookInstalled = true;
        }
        OPEN.add(resource);
    }

    /** Forgets {@code resource}: it was closed already. */
    public static synchronized void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    private static void closeAll() {
        List<AutoCloseable> toClose;
        synchronized (Cleanup.class) {
            toClose = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                System.err.println("rollback-testkit: could not close " + toClose.get(i) + " at exit: " + e);
            }
        }
    }
}
