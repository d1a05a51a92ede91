/**
 * Service provider interfaces: the journal that makes runs durable, the run lock that keeps one
 * runner per plan, and the notifier that tells people. Implementations ship in rollback-core
 * and the providers; applications may bring their own.
 */
package dev.rollback.api.spi;
