package dev.rollback.storage.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One container's listing read ahead on its own thread, at most {@link #PAGES_AHEAD} pages
 * ({@link Blobs#PAGE_SIZE} blobs each) before the consumer: the two listings of a sync proceed in
 * parallel with each other and with the copies, and memory stays bounded whatever the container
 * holds. It checks that names come in strictly increasing order ({@link String#compareTo}, UTF-16
 * code units, the order the service lists in); a name out of that order fails the listing with an
 * error naming the two names, since the merge of two listings depends on it.
 *
 * <p>Iterate once, from one thread; {@link #close()} stops the reader. A failure of the reader
 * (after the SDK's retries) is thrown by {@link #hasNext()}.
 */
public final class Listing implements Iterator<Blobs.Entry>, AutoCloseable {
    /** How many pages the reader may hold ahead of the consumer. */
    public static final int PAGES_AHEAD = 2;

    private static final Object END = new Object();

    private final String container;
    private final BlockingQueue<Object> pages = new ArrayBlockingQueue<>(PAGES_AHEAD);
    private final Thread reader;
    private Iterator<Blobs.Entry> current = List.<Blobs.Entry>of().iterator();
    private boolean ended;
    private String previous;

    private Listing(String container, Iterator<Iterable<Blobs.Entry>> source, Consumer<Integer> onPage) {
        this.container = container;
        this.reader = new Thread(
                () -> {
                    try {
                        while (source.hasNext()) {
                            Iterable<Blobs.Entry> page = source.next();
                            int n = 0;
                            for (Blobs.Entry ignored : page) {
                                n++;
                            }
                            onPage.accept(n);
                            pages.put(page);
                        }
                        pages.put(END);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        try {
                            pages.put(e); // after the pages read before it: the consumer gets those first
                        } catch (InterruptedException closed) {
                            Thread.currentThread().interrupt();
                        }
                    }
                },
                "rollback-storage-list-" + container);
        reader.setDaemon(true);
    }

    /**
     * Starts reading {@code container} under {@code prefix}; {@code onPage} is told the size of each
     * page read (from the reader's thread).
     */
    public static Listing start(
            Blobs blobs, String container, String prefix, Duration timeout, Consumer<Integer> onPage) {
        Listing listing = new Listing(container, blobs.pages(container, prefix, timeout), onPage);
        listing.reader.start();
        return listing;
    }

    /** A listing of what {@code source} yields, read ahead the same way (for tests and benchmarks). */
    public static Listing of(String container, Iterator<Iterable<Blobs.Entry>> source) {
        Listing listing = new Listing(container, source, n -> {});
        listing.reader.start();
        return listing;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean hasNext() {
        while (!current.hasNext()) {
            if (ended) {
                return false;
            }
            Object next;
            try {
                next = pages.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException("interrupted while listing container " + container);
            }
            if (next == null) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new StepInterruptedException("interrupted while listing container " + container);
                }
                continue;
            }
            if (next == END) {
                ended = true;
                return false;
            }
            if (next instanceof RuntimeException e) {
                ended = true;
                throw e;
            }
            current = ((Iterable<Blobs.Entry>) next).iterator();
        }
        return true;
    }

    @Override
    public Blobs.Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Blobs.Entry entry = current.next();
        if (previous != null && previous.compareTo(entry.name()) >= 0) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "container " + container + " listed '" + Arguments.printable(previous) + "' before '"
                            + Arguments.printable(entry.name())
                            + "', out of the name order the comparison of two listings relies on; nothing was"
                            + " deleted");
        }
        previous = entry.name();
        return entry;
    }

    @Override
    public void close() {
        reader.interrupt();
    }
}
