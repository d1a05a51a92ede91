package dev.rollback.examples.drill;

import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import java.io.PrintStream;
import java.util.Locale;

/** The drill's pager and mail: prints each page and notice as it is delivered. Thread-safe. */
final class ConsoleNotifier implements Notifier {
    private final PrintStream out;

    ConsoleNotifier(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public void send(Notification n) {
        synchronized (out) {
            out.printf(Locale.ROOT, "[drill]   ✉ %s → %s: %s%n", n.stakeholder(), n.recipients(), n.subject());
        }
    }
}
