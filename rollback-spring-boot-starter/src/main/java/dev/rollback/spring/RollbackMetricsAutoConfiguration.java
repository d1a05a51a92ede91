package dev.rollback.spring;

import dev.rollback.api.RollbackClock;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.micrometer.RollbackMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * rollback-micrometer's {@link RollbackMetrics} when the application has a {@link MeterRegistry} and
 * rollback-micrometer is on its class path: a {@code MeterBinder} Spring Boot binds to the registry, and a
 * listener the executor is given (runs, steps, the RTO budget left of live runs; with triggers enabled,
 * the rules' states and the decisions). Backs off when the application defines its own
 * {@link RollbackMetrics}.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass({RollbackMetrics.class, MeterRegistry.class, RollbackExecutor.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnProperty(prefix = "rollback", name = "enabled", havingValue = "true", matchIfMissing = true)
public class RollbackMetricsAutoConfiguration {

    /** The metrics, watching the trigger engine's rules when there is one. */
    @Bean
    @ConditionalOnMissingBean
    public RollbackMetrics rollbackMetrics(ObjectProvider<TriggerEngine> engine, ObjectProvider<RollbackClock> clock) {
        RollbackMetrics.Builder b = RollbackMetrics.custom();
        clock.ifAvailable(b::clock);
        engine.ifAvailable(b::triggers);
        return b.build();
    }
}
