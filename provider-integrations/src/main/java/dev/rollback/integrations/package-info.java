/**
 * The runbook's integration, security and monitoring rollbacks, and the full system lockdown.
 *
 * <p>Building blocks, each a step or verifier with its own contract: configuration switches in a
 * {@link dev.rollback.integrations.spi.ConfigStore} ({@link dev.rollback.integrations.ConfigSwitchStep}
 * over a {@link dev.rollback.integrations.JdbcConfigStore} or a
 * {@link dev.rollback.integrations.FileConfigStore}), mode flags in the application's database, session
 * and token clears, queue parking, affected-user notification, service restarts; HTTP health checks are
 * rollback-http's {@code HealthCheckVerifier}.
 *
 * <p>Compositions, one class per runbook section, each with the runbook's objectives as constants
 * and a plan fragment: QuickBooks, AI services, authentication, security monitoring, Application
 * Insights, and the lockdown that the security-breach trigger asks for.
 */
package dev.rollback.integrations;
