package dev.rollback.spring;

import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.trigger.TriggerEngine;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link RollbackEndpoint} (when the application has Spring Boot Actuator and exposes the endpoint)
 * and the {@link RollbackHealthIndicator} (unless {@code management.health.rollback.enabled=false}), on
 * the executor {@link RollbackAutoConfiguration} configured or the application's own. Each backs off when
 * the application defines its own.
 */
@AutoConfiguration(after = RollbackAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(RollbackExecutor.class)
public class RollbackEndpointAutoConfiguration {

    /** The {@code rollback} endpoint. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public RollbackEndpoint rollbackEndpoint(
            RollbackExecutor executor,
            ObjectProvider<TriggerEngine> engine,
            ObjectProvider<IncidentResponse> response) {
        return new RollbackEndpoint(
                executor, Optional.ofNullable(engine.getIfAvailable()), Optional.ofNullable(response.getIfAvailable()));
    }

    /** The {@code rollback} health contributor. */
    @Bean
    @ConditionalOnMissingBean(name = "rollbackHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("rollback")
    public RollbackHealthIndicator rollbackHealthIndicator(
            RollbackExecutor executor,
            ObjectProvider<TriggerEngine> engine,
            ObjectProvider<IncidentResponse> response) {
        return new RollbackHealthIndicator(
                executor, Optional.ofNullable(engine.getIfAvailable()), Optional.ofNullable(response.getIfAvailable()));
    }
}
