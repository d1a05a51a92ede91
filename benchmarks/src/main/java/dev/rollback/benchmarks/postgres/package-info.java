/**
 * JMH benchmarks of the PostgreSQL provider on the testkit's real server: the emergency backup
 * against raw {@code pg_dump} with the same arguments
 * ({@link dev.rollback.benchmarks.postgres.EmergencyBackupBenchmark}) and table-count validation
 * of 100 tables, exact and statistical
 * ({@link dev.rollback.benchmarks.postgres.TableCountValidationBenchmark}). Results and commands
 * are in {@code docs/benchmarks/postgres.md}.
 */
package dev.rollback.benchmarks.postgres;
