package dev.rollback.integrations;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.internal.Arguments;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.spi.ConfigStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's "Application Insights Rollback" (telemetry and monitoring; component
 * {@value #COMPONENT}, RTO 2 minutes, RPO 1 minute) as a plan fragment, in this order:
 *
 * <ol>
 *   <li>{@value #CONNECTION_CONFIG}: the configuration holding the connection string (instrumentation
 *       key) switched to the backup instance's ({@link ConfigSwitchStep}). The runbook's
 *       {@code export APPINSIGHTS_INSTRUMENTATIONKEY=$BACKUP_INSTRUMENTATION_KEY} changes only the
 *       script's own shell, never the agent; the agent reads its configuration file (or a systemd
 *       {@code EnvironmentFile}), so that is what is switched, and the restart makes it read it;</li>
 *   <li>{@value #MONITORING_CONFIG}, with {@link Builder#monitoringConfig(String, String)}: the
 *       runbook's {@code cp /config/monitoring-backup.json /config/monitoring.json};</li>
 *   <li>the agents restarted, one after the other ({@link ServiceRestartStep}, default
 *       {@code systemctl restart applicationinsights-agent}, step {@code restart-<agent>}), after
 *       every configuration is in place;</li>
 *   <li>the monitoring verified ({@code curl -f https://api.advisoros.com/monitoring/health}: the
 *       {@link Builder#monitoringHealth(HealthCheckVerifier) health check}, after the last restart).</li>
 * </ol>
 * The configuration's text (a connection string is a secret) never leaves the store: evidence
 * holds versions and digests. Build with {@link #builder()}; everything is checked by
 * {@link Builder#build()}. Immutable and thread-safe.
 */
public final class ApplicationInsightsRollback {
    /** The component of every step. */
    public static final String COMPONENT = "application-insights";
    /** The runbook's objectives: RTO 2 minutes, RPO 1 minute. */
    public static final RecoveryObjectives RUNBOOK_OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(2), Duration.ofMinutes(1));
    /** The plan name of {@link #runbookPlan()}. */
    public static final String PLAN_NAME = "application-insights-rollback";
    /** Step id: the connection string switched. */
    public static final String CONNECTION_CONFIG = "appinsights-connection-config";
    /** Step id: the monitoring configuration switched. */
    public static final String MONITORING_CONFIG = "appinsights-monitoring-config";
    /** The runbook's agent. */
    public static final String AGENT = "applicationinsights-agent";

    private final ConfigSwitchStep connection;
    private final Optional<ConfigSwitchStep> monitoring;
    private final List<ServiceRestartStep> restarts;
    private final HealthCheckVerifier health;

    private ApplicationInsightsRollback(Builder b) {
        this.connection = ConfigSwitchStep.builder(b.configStore)
                .id(CONNECTION_CONFIG)
                .component(COMPONENT)
                .config(b.connectionConfig)
                .backup(b.connectionBackup)
                .build();
        this.monitoring = b.monitoringConfig == null
                ? Optional.empty()
                : Optional.of(ConfigSwitchStep.builder(b.configStore)
                        .id(MONITORING_CONFIG)
                        .component(COMPONENT)
                        .config(b.monitoringConfig)
                        .backup(b.monitoringBackup)
                        .build());
        Map<String, List<String>> agents =
                b.agents.isEmpty() ? Map.of(AGENT, List.of("systemctl", "restart", AGENT)) : b.agents;
        List<ServiceRestartStep> steps = new ArrayList<>();
        agents.forEach((agent, command) -> steps.add(ServiceRestartStep.builder()
                .id("restart-" + agent)
                .component(COMPONENT)
                .command(command.toArray(new String[0]))
                .passEnvironment(b.passEnvironment.toArray(new String[0]))
                .timeout(b.restartTimeout)
                .build()));
        this.restarts = List.copyOf(steps);
        this.health = b.health;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The connection-string switch; {@code connectionConfigSwitch().switchBack()} undoes it. */
    public ConfigSwitchStep connectionConfigSwitch() {
        return connection;
    }

    /** The agents' restarts, in order. */
    public List<ServiceRestartStep> agentRestarts() {
        return restarts;
    }

    /**
     * Adds the fragment (see the class comment) to {@code plan}, declaring component
     * {@value #COMPONENT} with {@link #RUNBOOK_OBJECTIVES}.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addRunbookFragment(RollbackPlan.Builder plan) {
        Objects.requireNonNull(plan, "plan");
        plan.component(COMPONENT, RUNBOOK_OBJECTIVES).step(connection);
        RollbackStep last = connection;
        if (monitoring.isPresent()) {
            String after = last.id();
            plan.step(monitoring.get(), s -> s.dependsOn(after));
            last = monitoring.get();
        }
        for (int i = 0; i < restarts.size(); i++) {
            ServiceRestartStep restart = restarts.get(i);
            String after = last.id();
            boolean lastRestart = i == restarts.size() - 1;
            plan.step(restart, s -> {
                s.dependsOn(after);
                if (lastRestart) {
                    s.verifier(health);
                }
            });
            last = restart;
        }
        return plan;
    }

    /** A plan {@value #PLAN_NAME} with {@link #RUNBOOK_OBJECTIVES} holding only the fragment. */
    public RollbackPlan runbookPlan() {
        return addRunbookFragment(RollbackPlan.builder(PLAN_NAME, RUNBOOK_OBJECTIVES))
                .build();
    }

    @Override
    public String toString() {
        return "ApplicationInsightsRollback[" + connection
                + monitoring.map(m -> "; " + m).orElse("") + "; "
                + restarts.stream().map(ServiceRestartStep::describe).toList() + "]";
    }

    /**
     * Builds an {@link ApplicationInsightsRollback}. Required: {@link #configStore},
     * {@link #monitoringHealth}. Setters check their argument at once; not thread-safe; reusable.
     */
    public static final class Builder {
        private ConfigStore configStore;
        private String connectionConfig = "applicationinsights.json";
        private String connectionBackup = "applicationinsights-backup.json";
        private String monitoringConfig;
        private String monitoringBackup;
        private final Map<String, List<String>> agents = new LinkedHashMap<>();
        private List<String> passEnvironment = List.of();
        private Duration restartTimeout = Duration.ofSeconds(30);
        private HealthCheckVerifier health;

        private Builder() {}

        /** Where the agents' configurations are (a {@link FileConfigStore} on their folder). Required. */
        public Builder configStore(ConfigStore store) {
            this.configStore = Objects.requireNonNull(store, "configStore");
            return this;
        }

        /**
         * The configuration with the connection string, and the backup instance's. Default
         * {@code applicationinsights.json}, {@code applicationinsights-backup.json}.
         */
        public Builder connectionConfig(String config, String backup) {
            this.connectionConfig = Arguments.requireId(config, "connectionConfig");
            this.connectionBackup = Arguments.requireId(backup, "connectionBackup");
            return this;
        }

        /** A monitoring configuration switched too ({@code monitoring.json}, {@code monitoring-backup.json}). Default: none. */
        public Builder monitoringConfig(String config, String backup) {
            this.monitoringConfig = Arguments.requireId(config, "monitoringConfig");
            this.monitoringBackup = Arguments.requireId(backup, "monitoringBackup");
            return this;
        }

        /**
         * An agent to restart, by name (its step is {@code restart-<name>}) and command, in order.
         * Default: {@value ApplicationInsightsRollback#AGENT} with {@code systemctl restart
         * applicationinsights-agent}.
         */
        public Builder addAgent(String name, String... command) {
            String n = Arguments.requireId(name, "agent name");
            ServiceRestartStep.builder().id("restart-" + n).command(command);
            if (agents.containsKey(n)) {
                throw new IllegalArgumentException("agent '" + n + "' is added twice");
            }
            agents.put(n, List.of(command));
            return this;
        }

        /** Variables of the runner's environment the restart commands get, besides PATH. Default: none. */
        public Builder passEnvironment(String... names) {
            ServiceRestartStep.builder().passEnvironment(names);
            this.passEnvironment = List.of(names);
            return this;
        }

        /** How long each restart may run. Default 30 s; above zero, at most the RTO of 2 minutes. */
        public Builder restartTimeout(Duration timeout) {
            this.restartTimeout = Arguments.requirePositive(timeout, "restartTimeout", RUNBOOK_OBJECTIVES.rto());
            return this;
        }

        /** The monitoring health check after the restarts. Required. */
        public Builder monitoringHealth(HealthCheckVerifier health) {
            this.health = Objects.requireNonNull(health, "monitoringHealth");
            return this;
        }

        /**
         * The rollback, every step built and checked.
         *
         * @throws IllegalStateException naming the missing part, or when both switches name the
         *     same configuration
         */
        public ApplicationInsightsRollback build() {
            Compositions.require(configStore, "configStore");
            Compositions.require(health, "monitoringHealth");
            if (connectionConfig.equals(monitoringConfig)) {
                throw new IllegalStateException(
                        "monitoringConfig must differ from connectionConfig, but both were '" + connectionConfig + "'");
            }
            return new ApplicationInsightsRollback(this);
        }
    }
}
