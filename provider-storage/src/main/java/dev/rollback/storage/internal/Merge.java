package dev.rollback.storage.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Two listings sorted by name, walked side by side: each step yields the blob of that name on the
 * source side, the destination side, or both. Memory: one entry per side. Iterate once, from one
 * thread.
 */
public final class Merge implements Iterator<Merge.Pair> {
    /** The blob of one name on each side; at least one side is present. */
    public record Pair(Optional<Blobs.Entry> source, Optional<Blobs.Entry> destination) {
        /** The name. */
        public String name() {
            return source.or(() -> destination).orElseThrow().name();
        }
    }

    private final Iterator<Blobs.Entry> sources;
    private final Iterator<Blobs.Entry> destinations;
    private Blobs.Entry source;
    private Blobs.Entry destination;

    /** Walks {@code sources} and {@code destinations}, each sorted by {@link String#compareTo name}. */
    public Merge(Iterator<Blobs.Entry> sources, Iterator<Blobs.Entry> destinations) {
        this.sources = sources;
        this.destinations = destinations;
    }

    @Override
    public boolean hasNext() {
        if (source == null && sources.hasNext()) {
            source = sources.next();
        }
        if (destination == null && destinations.hasNext()) {
            destination = destinations.next();
        }
        return source != null || destination != null;
    }

    @Override
    public Pair next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int order =
                source == null ? 1 : destination == null ? -1 : source.name().compareTo(destination.name());
        Pair pair;
        if (order == 0) {
            pair = new Pair(Optional.of(source), Optional.of(destination));
            source = null;
            destination = null;
        } else if (order < 0) {
            pair = new Pair(Optional.of(source), Optional.empty());
            source = null;
        } else {
            pair = new Pair(Optional.empty(), Optional.of(destination));
            destination = null;
        }
        return pair;
    }
}
