/**
 * Implementation details of provider-redis: connections, failure mapping, argument checks. Not an
 * API; anything here may change without notice.
 */
package dev.rollback.redis.internal;
