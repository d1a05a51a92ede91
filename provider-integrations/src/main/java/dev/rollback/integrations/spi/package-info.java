/**
 * For authors of configuration stores: {@link dev.rollback.integrations.spi.ConfigStore}, the
 * versioned, durable place an application reads a component's configuration from, and the
 * {@link dev.rollback.integrations.spi.ConfigDocument} it hands out. The provider ships two stores,
 * {@link dev.rollback.integrations.JdbcConfigStore} and {@link dev.rollback.integrations.FileConfigStore}.
 */
package dev.rollback.integrations.spi;
