package dev.rollback.spring.internal;

import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link Journal} opened on its first use: the context starts without touching the disk or the
 * database (no directory, no connection, no schema), and the first run opens it. Opening that fails
 * fails that call (the run does not start) and is tried again on the next call. Thread-safe: it opens
 * the journal once. Closing closes the opened journal, if it is {@link AutoCloseable}.
 */
public final class LazyJournal implements Journal, AutoCloseable {
    private final String description;
    private final Supplier<? extends Journal> opener;
    private volatile Journal opened;

    /**
     * @param description what it opens, for {@link #toString()} (never a secret)
     * @param opener opens the journal
     */
    public LazyJournal(String description, Supplier<? extends Journal> opener) {
        this.description = Objects.requireNonNull(description, "description");
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /** Whether the journal was opened. */
    public boolean isOpen() {
        return opened != null;
    }

    /** The journal, opened now if it was not. */
    public Journal journal() {
        Journal j = opened;
        if (j == null) {
            synchronized (this) {
                j = opened;
                if (j == null) {
                    j = Objects.requireNonNull(opener.get(), "opened journal");
                    opened = j;
                }
            }
        }
        return j;
    }

    @Override
    public void append(JournalRecord record) {
        journal().append(record);
    }

    @Override
    public List<JournalRecord> records(String runId) {
        return journal().records(runId);
    }

    @Override
    public List<String> unfinishedRuns() {
        return journal().unfinishedRuns();
    }

    @Override
    public Optional<JournalVerification> verify(String runId) {
        return journal().verify(runId);
    }

    /**
     * Closes the opened journal, if it was opened and is {@link AutoCloseable}.
     *
     * @throws IllegalStateException if closing it failed
     */
    @Override
    public void close() {
        Journal j = opened;
        if (j instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + this + " failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "LazyJournal[" + description + (isOpen() ? ", open" : ", not opened yet") + "]";
    }
}
