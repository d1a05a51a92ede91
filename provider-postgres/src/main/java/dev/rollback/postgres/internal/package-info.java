/**
 * Internals of the PostgreSQL provider: argument checks, the client-tool runner, the password
 * file, SQL quoting and hashing. Not part of the API; may change without notice.
 */
package dev.rollback.postgres.internal;
