/**
 * Implementation details of provider-integrations: SQL name checks and JDBC failure mapping, digests,
 * durable file replacement, process trees. Not an API; anything here may change without notice.
 */
package dev.rollback.integrations.internal;
