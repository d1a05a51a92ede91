/** Internal: the commands of the command line. */
package dev.rollback.cli.internal;
