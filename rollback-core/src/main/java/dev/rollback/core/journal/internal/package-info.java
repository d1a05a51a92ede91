/**
 * Internal machinery of the file journal and the file run lock: the record codec, the chain
 * scanner, the anchor file and safe file names. Not part of the API; may change in any release.
 */
package dev.rollback.core.journal.internal;
