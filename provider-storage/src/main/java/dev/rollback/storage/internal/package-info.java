/**
 * Implementation details of provider-storage: the Azure clients as the steps use them, failure
 * mapping, glob patterns, listings, hashing. Not an API; anything here may change without notice.
 */
package dev.rollback.storage.internal;
