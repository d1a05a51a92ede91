/**
 * JMH benchmarks of the file journal: durable appends with and without group commit
 * ({@link dev.rollback.benchmarks.journal.JournalAppendBenchmark}) against the bare fsync limit of
 * the same disk ({@link dev.rollback.benchmarks.journal.FsyncLimitBenchmark}), and resuming a
 * 1,000-step run from its journal ({@link dev.rollback.benchmarks.journal.ResumeBenchmark}).
 * Results and commands are in {@code docs/benchmarks/journal.md}.
 */
package dev.rollback.benchmarks.journal;
