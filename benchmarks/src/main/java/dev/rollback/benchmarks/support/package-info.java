/** What the benchmarks share: a step context for calling a step directly. */
package dev.rollback.benchmarks.support;
