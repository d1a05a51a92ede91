/**
 * Service provider interfaces: the journal that makes runs durable, the run lock that keeps one
 * runner per plan, and the notifier that tells people. Each interface's javadoc is its contract.
 * Implementations ship in rollback-core and the providers; applications may bring their own, and
 * prove them with the contract kits of rollback-testkit.
 */
package dev.rollback.api.spi;
