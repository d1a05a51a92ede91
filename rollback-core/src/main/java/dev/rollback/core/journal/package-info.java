/**
 * Durable runs: {@link dev.rollback.core.journal.FileJournal}, an append-only, fsynced,
 * hash-chained journal in one file per run, whose {@code verify} gives the outcome of checking a
 * run's chain (a {@link dev.rollback.api.spi.JournalVerification}); and {@link dev.rollback.core.journal.RunHistory} and
 * {@link dev.rollback.core.journal.StepHistory}, a run rebuilt from any journal so that the
 * executor resumes it instead of repeating what already took effect.
 */
package dev.rollback.core.journal;
