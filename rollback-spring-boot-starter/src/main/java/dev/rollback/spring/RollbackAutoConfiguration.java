package dev.rollback.spring;

import dev.rollback.api.Decision;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.governance.ApprovalPolicy;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.RunLock;
import dev.rollback.config.RollbackConfiguration;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.spring.internal.HttpServerRequestSignals;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;

/**
 * Configures Rollback in a Spring Boot application: the {@link RollbackExecutor}, its {@link Journal}
 * and {@link RunLock} (PostgreSQL's, on the application's database, when provider-postgres and a
 * {@link DataSource} are present; files otherwise), the {@link RollbackConfiguration} (the
 * {@code rollback.config} file, or the runbook's values) and, with {@code rollback.triggers.enabled=true},
 * the {@link TriggerEngine} fed from the application's {@code http.server.requests}, the
 * {@link PlanCatalog} of the {@link RollbackPlan} beans, and the {@link IncidentResponse} that runs the
 * plan a decision maps to. Every bean backs off when the application defines its own of that type.
 *
 * <p><b>Nothing starts until it is used or enabled.</b> Building these beans opens no connection,
 * creates no directory or schema and starts no thread: the journal and the run lock are opened when the
 * first run starts, the executor's threads are made for the first step, and the trigger engine and the
 * incident response tick on their threads only when triggers are enabled, from the context's start to
 * its stop. {@code rollback.enabled=false} turns all of it off.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")
@ConditionalOnProperty(prefix = "rollback", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(RollbackProperties.class)
@Import({PostgresStoreConfiguration.class, FileStoreConfiguration.class, RollbackAutoConfiguration.Triggers.class})
public class RollbackAutoConfiguration {

    /** The runbook's numbers: the {@code rollback.config} file, or the runbook's shipped values. */
    @Bean
    @ConditionalOnMissingBean
    public RollbackConfiguration rollbackConfiguration(RollbackProperties properties) {
        return properties.config().map(RollbackAutoConfiguration::read).orElseGet(RollbackConfiguration::ofDefaults);
    }

    /**
     * The executor, with the journal, the run lock, the application's {@link RollbackListener},
     * {@link ApprovalPolicy} and {@link RollbackClock} beans if it has them.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RollbackExecutor rollbackExecutor(
            RollbackProperties properties,
            Journal journal,
            RunLock runLock,
            ObjectProvider<RollbackListener> listeners,
            ObjectProvider<ApprovalPolicy> approvalPolicy,
            ObjectProvider<RollbackClock> clock) {
        RollbackExecutor.Builder b = RollbackExecutor.builder()
                .parallelism(properties.getExecutor().getParallelism())
                .lockWait(properties.getExecutor().getLockWait())
                .journal(journal)
                .runLock(runLock);
        listeners.orderedStream().forEach(b::listener);
        approvalPolicy.ifAvailable(b::approvalPolicy);
        clock.ifAvailable(b::clock);
        return b.build();
    }

    private static RollbackConfiguration read(Resource resource) {
        String name =
                resource.getFilename() == null ? "" : resource.getFilename().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        if (!yaml && !name.endsWith(".properties")) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "rollback.config '" + resource.getDescription() + "' must be a .yaml, .yml or .properties file");
        }
        try (Reader reader = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
            String source = "rollback.config (" + resource.getDescription() + ")";
            return yaml
                    ? RollbackConfiguration.fromYaml(reader, source)
                    : RollbackConfiguration.fromProperties(reader, source);
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "rollback.config '" + resource.getDescription() + "' cannot be read: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Automatic rollback, with {@code rollback.triggers.enabled=true}: the trigger engine on the
     * configuration's matrix, fed from {@code http.server.requests}; the plan catalog; the incident
     * response; and the lifecycle that starts their threads with the context and stops them with it.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "rollback.triggers", name = "enabled", havingValue = "true")
    static class Triggers {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        TriggerEngine rollbackTriggerEngine(
                RollbackConfiguration configuration,
                RollbackProperties properties,
                ObjectProvider<RollbackClock> clock) {
            TriggerEngine.Builder b = configuration
                    .triggerEngine()
                    .evaluationInterval(properties.getTriggers().getEvaluationInterval());
            clock.ifAvailable(b::clock);
            return b.build();
        }

        /**
         * The catalog of the application's {@link RollbackPlan} beans: each plan carries out the actions
         * it {@link RollbackPlan#carriesOut() declares}. Building it fails, naming them, when a rollback
         * action of the matrix has no plan or two plans claim one action.
         */
        @Bean
        @ConditionalOnMissingBean
        PlanCatalog rollbackPlanCatalog(TriggerEngine engine, ObjectProvider<RollbackPlan> plans) {
            DecisionMatrix matrix = engine.matrix();
            Map<String, RollbackPlan> byAction = new LinkedHashMap<>();
            plans.orderedStream()
                    .forEach(plan -> plan.carriesOut().forEach(action -> {
                        boolean taken = matrix.rules().stream()
                                .anyMatch(r -> r.action().equals(action) && r.kind() == Decision.Kind.ROLLBACK);
                        RollbackPlan other = taken ? byAction.putIfAbsent(action, plan) : null;
                        if (other != null) {
                            throw new IllegalStateException(
                                    "plans '" + other.name() + "' and '" + plan.name() + "' both carry out action '"
                                            + action + "': declare a PlanCatalog bean that maps it");
                        }
                    }));
            PlanCatalog.Builder b = PlanCatalog.forMatrix(matrix);
            byAction.forEach(b::map);
            return b.build();
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        IncidentResponse rollbackIncidentResponse(
                PlanCatalog catalog,
                RollbackExecutor executor,
                TriggerEngine engine,
                RunLock runLock,
                RollbackProperties properties,
                ObjectProvider<PostRollbackVerification> verification) {
            DecisionMatrix matrix = engine.matrix();
            PostRollbackVerification checks = verification.getIfAvailable(() -> PostRollbackVerification.custom()
                    .watchRules(Stream.of(DecisionMatrix.ERROR_RATE, DecisionMatrix.RESPONSE_TIME)
                            .filter(rule -> matrix.rule(rule).isPresent())
                            .toArray(String[]::new))
                    .settleFor(properties.getTriggers().getSettleFor())
                    .build());
            return IncidentResponse.custom()
                    .catalog(catalog)
                    .executor(executor)
                    .triggers(engine)
                    .incidentLock(runLock)
                    .verification(checks)
                    .build();
        }

        @Bean
        TriggerLifecycle rollbackTriggerLifecycle(
                TriggerEngine engine, IncidentResponse response, RollbackProperties properties) {
            return new TriggerLifecycle(engine, response, properties.getTriggers());
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "io.micrometer.observation.ObservationHandler")
        static class HttpSignals {
            @Bean
            @ConditionalOnMissingBean
            HttpServerRequestSignals rollbackHttpServerRequestSignals(TriggerEngine engine, Environment environment) {
                return new HttpServerRequestSignals(
                        engine,
                        environment.getProperty(
                                "management.observations.http.server.requests.name", "http.server.requests"));
            }
        }
    }

    /** Starts the trigger engine's evaluations and the incident response's ticks with the context; stops them with it. */
    static final class TriggerLifecycle implements SmartLifecycle {
        private final TriggerEngine engine;
        private final IncidentResponse response;
        private final RollbackProperties.Triggers settings;
        private volatile boolean running;

        TriggerLifecycle(TriggerEngine engine, IncidentResponse response, RollbackProperties.Triggers settings) {
            this.engine = engine;
            this.response = response;
            this.settings = settings;
        }

        @Override
        public synchronized void start() {
            if (!running) {
                engine.start();
                response.start(settings.getTick());
                running = true;
            }
        }

        @Override
        public synchronized void stop() {
            if (running) {
                response.close();
                engine.close();
                running = false;
            }
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
