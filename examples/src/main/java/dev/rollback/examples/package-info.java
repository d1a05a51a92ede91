/**
 * Runnable examples, compiled and tested in the build: the README's quickstart
 * ({@link dev.rollback.examples.Quickstart}), the runbook's database rollback as a drill against a
 * local PostgreSQL ({@link dev.rollback.examples.DatabaseDrill}, the project's run command) and a
 * what-if replay of a recorded trace through the decision matrix
 * ({@link dev.rollback.examples.ReplayCommand}).
 */
package dev.rollback.examples;
