/**
 * Benchmarks of provider-storage: the blob sync against a real Azurite and against a simulated blob
 * endpoint on WireMock, each with its peers measured in the same run; results in
 * {@code docs/benchmarks/storage.md}.
 */
package dev.rollback.benchmarks.storage;
