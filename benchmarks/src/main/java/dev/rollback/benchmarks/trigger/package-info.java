/**
 * JMH benchmarks and a footprint measurement of the trigger engine: recording a request against a
 * Resilience4j circuit breaker, a bare {@code LongAdder} and a Micrometer timer
 * ({@link dev.rollback.benchmarks.trigger.RecordingBenchmark}), evaluating the runbook's whole
 * decision matrix ({@link dev.rollback.benchmarks.trigger.EvaluationBenchmark}), replaying a day of
 * traffic ({@link dev.rollback.benchmarks.trigger.ReplayDayBenchmark}) and the engine's retained
 * memory ({@link dev.rollback.benchmarks.trigger.PresetFootprint}). Results and commands are in
 * {@code docs/benchmarks/triggers.md}.
 */
package dev.rollback.benchmarks.trigger;
