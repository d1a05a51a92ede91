/**
 * A simulated Azure control plane for tests: {@link dev.rollback.testkit.azure.AzureControlPlaneSimulator},
 * a stateful Azure Resource Manager on WireMock that the real Azure SDK for Java management clients
 * talk to (web apps and slots, Azure Cache for Redis, storage accounts, PostgreSQL flexible
 * servers) and serves a Microsoft Entra ID token endpoint ({@link dev.rollback.testkit.azure.SimulatedEntraId}),
 * with long-running operations, injectable faults ({@link dev.rollback.testkit.azure.AzureFault})
 * and a request journal ({@link dev.rollback.testkit.azure.RecordedRequests}).
 *
 * <p>{@link dev.rollback.testkit.azure.AzureSimulatorClients} is the only class here that uses Azure
 * SDK types; the SDK is an optional dependency of the testkit, needed only by tests that call it.
 */
package dev.rollback.testkit.azure;
