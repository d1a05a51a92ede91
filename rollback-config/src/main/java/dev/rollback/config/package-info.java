/**
 * The runbook's numbers as configuration, read from YAML or properties and checked:
 * {@link dev.rollback.config.RollbackConfiguration} (thresholds and the decision matrix, component
 * objectives, success-metric limits and targets, escalation and stakeholders), with errors that name
 * the file, the key and the value ({@link dev.rollback.config.ConfigurationException}).
 */
package dev.rollback.config;
