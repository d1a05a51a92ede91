/**
 * JMH benchmarks of the executor: the overhead it adds per step on plans of no-op steps
 * ({@link dev.rollback.benchmarks.executor.ExecutorOverheadBenchmark}) and how close a run of a
 * random 100-step DAG comes to the plan's critical path
 * ({@link dev.rollback.benchmarks.executor.CriticalPathBenchmark}). Results and the commands that
 * produced them are in {@code docs/benchmarks.md}.
 */
package dev.rollback.benchmarks.executor;
