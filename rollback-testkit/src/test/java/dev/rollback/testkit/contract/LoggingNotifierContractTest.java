package dev.rollback.testkit.contract;

import dev.rollback.api.spi.Notifier;
import dev.rollback.core.notification.LoggingNotifier;

/** {@link LoggingNotifier} keeps the {@link Notifier} contract; a log cannot be watched or refuse, so only the rules that need no receiver run. */
class LoggingNotifierContractTest extends NotifierContract {
    @Override
    protected Notifier createNotifier() {
        return new LoggingNotifier();
    }
}
