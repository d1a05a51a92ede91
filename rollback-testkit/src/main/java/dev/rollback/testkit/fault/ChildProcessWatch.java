package dev.rollback.testkit.fault;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches the child processes of this JVM (every descendant: pg_dump, a restart command, a node
 * server) while they run and scans the command line and environment of each with a
 * {@link CanaryScanner}, every few milliseconds, from {@link #start} to {@link #close}. A child
 * that starts and ends between two looks is missed, so a test that must see one keeps it running a
 * while (a held lock, a sleep in the command) and checks {@link #childrenSeen()}.
 *
 * <pre>{@code
 * try (ChildProcessWatch watch = ChildProcessWatch.start(scanner)) {
 *     ... run what starts children ...
 *     assertThat(watch.findings()).isEmpty();
 * }
 * }</pre>
 *
 * <p>Thread-safe: the watcher runs on its own daemon thread; the getters return snapshots.
 */
public final class ChildProcessWatch implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 5;

    private final CanaryScanner scanner;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<String> seen = new LinkedHashSet<>();
    private final List<CanaryScanner.Finding> findings = new ArrayList<>();
    private final Thread thread;

    private ChildProcessWatch(CanaryScanner scanner) {
        this.scanner = scanner;
        this.thread = new Thread(this::watch, "canary-child-process-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching the children of this JVM for {@code scanner}'s canaries. */
    public static ChildProcessWatch start(CanaryScanner scanner) {
        ChildProcessWatch watch = new ChildProcessWatch(Objects.requireNonNull(scanner, "scanner"));
        watch.thread.start();
        return watch;
    }

    private void watch() {
        while (running.get()) {
            look();
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void look() {
        ProcessHandle.current().descendants().forEach(child -> {
            List<CanaryScanner.Finding> found = scanner.scanProcess(child.pid());
            String command = child.info().command().orElse("?");
            synchronized (this) {
                seen.add(child.pid() + " " + command);
                findings.addAll(found);
            }
        });
    }

    /** The canaries found so far in a child's command line or environment. */
    public synchronized List<CanaryScanner.Finding> findings() {
        return List.copyOf(findings);
    }

    /** The children looked at so far, as "pid command" (the executable's path). */
    public synchronized List<String> childrenSeen() {
        return List.copyOf(seen);
    }

    /** Takes a last look and stops watching. */
    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        look();
    }
}
