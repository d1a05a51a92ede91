package dev.rollback.core;

import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records every event; lets a test wait for one. */
final class RecordingListener implements RollbackListener {
    final List<RollbackEvent> events = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

    private record Waiter(Predicate<RollbackEvent> match, CountDownLatch latch) {}

    @Override
    public void onEvent(RollbackEvent event) {
        events.add(event);
        for (Waiter w : waiters) {
            if (w.match.test(event)) {
                w.latch.countDown();
            }
        }
    }

    <T extends RollbackEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Blocks until an event matching {@code match} was recorded (or was already). */
    void awaitEvent(Predicate<RollbackEvent> match) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        waiters.add(new Waiter(match, latch));
        if (events.stream().anyMatch(match)) {
            return;
        }
        if (!latch.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no matching event within 10 s; saw " + events);
        }
    }
}
