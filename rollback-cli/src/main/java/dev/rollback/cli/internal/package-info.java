/**
 * Internal: the picocli commands of the command line (journal, runs, replay, report, drill), their
 * shared options and exit codes; public only for picocli and may change in any release.
 */
package dev.rollback.cli.internal;
