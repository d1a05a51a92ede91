package dev.rollback.core.internal;

import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers events to listeners, isolating each: a listener that throws is logged and ignored. */
public final class EventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    /** Delivers to no listener (for contexts whose progress no listener may hear: dry runs, resumption checks). */
    static final EventDispatcher NONE = new EventDispatcher(List.of());

    private final List<RollbackListener> listeners;

    /** Dispatches to {@code listeners}, in order. */
    public EventDispatcher(List<RollbackListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Delivers {@code event} to every listener; never throws. */
    public void emit(RollbackEvent event) {
        for (RollbackListener l : listeners) {
            try {
                l.dispatch(event);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn(
                        "rollback listener {} threw on {} of run {}; ignored",
                        l.getClass().getName(),
                        event.getClass().getSimpleName(),
                        event.runId(),
                        e);
            }
        }
    }
}
