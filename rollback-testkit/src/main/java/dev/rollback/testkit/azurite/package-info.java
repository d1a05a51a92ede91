/**
 * Azurite's Blob service for tests, installed from npm at a pinned version: see
 * {@link dev.rollback.testkit.azurite.AzuriteServer}.
 */
package dev.rollback.testkit.azurite;
