package dev.rollback.integrations;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.internal.Arguments;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.spi.ConfigStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The runbook's "Security Monitoring Rollback" (component {@value #COMPONENT}, RTO 1 minute, RPO
 * 0) as a plan fragment, in the runbook's order:
 *
 * <ol>
 *   <li>{@value #MONITORING_CONFIG}: {@code cp /config/monitoring-backup.json /config/monitoring.json},
 *       done safely ({@link ConfigSwitchStep} on a {@link FileConfigStore}: temporary file, fsync,
 *       atomic rename, previous version kept), first, because the services read it when they
 *       start;</li>
 *   <li>{@value #RESTART_SECURITY_MONITOR}: {@code systemctl restart security-monitor}
 *       ({@link ServiceRestartStep});</li>
 *   <li>{@value #RESTART_AUDIT_LOGGER}: {@code systemctl restart audit-logger}, then the security
 *       controls verified ({@code curl -f https://api.advisoros.com/security/health}: the
 *       {@link Builder#securityHealth(HealthCheckVerifier) health check}, after both restarts).</li>
 * </ol>
 * One after the other, as the runbook does: a restart that fails or hangs (killed at its timeout,
 * default 20 s, inside the 1-minute budget) stops the ones after it. Build with {@link #builder()};
 * everything is checked by {@link Builder#build()}. Immutable and thread-safe.
 */
public final class SecurityMonitoringRollback {
    /** The component of every step. */
    public static final String COMPONENT = "security-monitoring";
    /** The runbook's objectives: RTO 1 minute, RPO 0. */
    public static final RecoveryObjectives RUNBOOK_OBJECTIVES = RecoveryObjectives.stateless(Duration.ofMinutes(1));
    /** The plan name of {@link #runbookPlan()}. */
    public static final String PLAN_NAME = "security-monitoring-rollback";
    /** Step id: the monitoring configuration swapped for the backup. */
    public static final String MONITORING_CONFIG = "security-monitoring-config";
    /** Step id: the security monitor restarted. */
    public static final String RESTART_SECURITY_MONITOR = "restart-security-monitor";
    /** Step id: the audit logger restarted. */
    public static final String RESTART_AUDIT_LOGGER = "restart-audit-logger";
    /** The runbook's command for the security monitor. */
    public static final List<String> SECURITY_MONITOR_COMMAND = List.of("systemctl", "restart", "security-monitor");
    /** The runbook's command for the audit logger. */
    public static final List<String> AUDIT_LOGGER_COMMAND = List.of("systemctl", "restart", "audit-logger");

    private final ConfigSwitchStep config;
    private final ServiceRestartStep securityMonitor;
    private final ServiceRestartStep auditLogger;
    private final HealthCheckVerifier health;

    private SecurityMonitoringRollback(Builder b) {
        this.config = ConfigSwitchStep.builder(b.configStore)
                .id(MONITORING_CONFIG)
                .component(COMPONENT)
                .config(b.config)
                .backup(b.backup)
                .build();
        this.securityMonitor = restart(b, RESTART_SECURITY_MONITOR, b.securityMonitorCommand);
        this.auditLogger = restart(b, RESTART_AUDIT_LOGGER, b.auditLoggerCommand);
        this.health = b.health;
    }

    private static ServiceRestartStep restart(Builder b, String id, List<String> command) {
        return ServiceRestartStep.builder()
                .id(id)
                .component(COMPONENT)
                .command(command.toArray(new String[0]))
                .passEnvironment(b.passEnvironment.toArray(new String[0]))
                .timeout(b.restartTimeout)
                .build();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The configuration swap; {@code configSwitch().switchBack()} undoes it. */
    public ConfigSwitchStep configSwitch() {
        return config;
    }

    /** The security monitor's restart. */
    public ServiceRestartStep securityMonitorRestart() {
        return securityMonitor;
    }

    /** The audit logger's restart. */
    public ServiceRestartStep auditLoggerRestart() {
        return auditLogger;
    }

    /**
     * Adds the fragment (see the class comment) to {@code plan}, declaring component
     * {@value #COMPONENT} with {@link #RUNBOOK_OBJECTIVES}.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addRunbookFragment(RollbackPlan.Builder plan) {
        Objects.requireNonNull(plan, "plan");
        return plan.component(COMPONENT, RUNBOOK_OBJECTIVES)
                .step(config)
                .step(securityMonitor, s -> s.dependsOn(MONITORING_CONFIG))
                .step(auditLogger, s -> s.dependsOn(RESTART_SECURITY_MONITOR).verifier(health));
    }

    /** A plan {@value #PLAN_NAME} with {@link #RUNBOOK_OBJECTIVES} holding only the fragment. */
    public RollbackPlan runbookPlan() {
        return addRunbookFragment(RollbackPlan.builder(PLAN_NAME, RUNBOOK_OBJECTIVES))
                .build();
    }

    @Override
    public String toString() {
        return "SecurityMonitoringRollback[" + config + "; " + securityMonitor.describe() + "; "
                + auditLogger.describe() + "]";
    }

    /**
     * Builds a {@link SecurityMonitoringRollback}. Required: {@link #configStore},
     * {@link #securityHealth}. Setters check their argument at once; not thread-safe; reusable.
     */
    public static final class Builder {
        private ConfigStore configStore;
        private String config = "monitoring.json";
        private String backup = "monitoring-backup.json";
        private List<String> securityMonitorCommand = SECURITY_MONITOR_COMMAND;
        private List<String> auditLoggerCommand = AUDIT_LOGGER_COMMAND;
        private List<String> passEnvironment = List.of();
        private Duration restartTimeout = Duration.ofSeconds(20);
        private HealthCheckVerifier health;

        private Builder() {}

        /** Where the monitoring configuration is (the runbook's {@code /config} folder as a {@link FileConfigStore}). Required. */
        public Builder configStore(ConfigStore store) {
            this.configStore = Objects.requireNonNull(store, "configStore");
            return this;
        }

        /** The configuration and its backup. Default {@code monitoring.json}, {@code monitoring-backup.json}. */
        public Builder config(String config, String backup) {
            this.config = Arguments.requireId(config, "config");
            this.backup = Arguments.requireId(backup, "backup");
            return this;
        }

        /** The command that restarts the security monitor. Default {@code systemctl restart security-monitor}. */
        public Builder securityMonitorRestart(String... command) {
            this.securityMonitorCommand = checked(command);
            return this;
        }

        /** The command that restarts the audit logger. Default {@code systemctl restart audit-logger}. */
        public Builder auditLoggerRestart(String... command) {
            this.auditLoggerCommand = checked(command);
            return this;
        }

        /** Variables of the runner's environment the restart commands get, besides PATH. Default: none. */
        public Builder passEnvironment(String... names) {
            ServiceRestartStep.builder().passEnvironment(names);
            this.passEnvironment = List.of(names);
            return this;
        }

        /** How long each restart may run. Default 20 s; above zero, at most the RTO of 1 minute. */
        public Builder restartTimeout(Duration timeout) {
            this.restartTimeout = Arguments.requirePositive(timeout, "restartTimeout", RUNBOOK_OBJECTIVES.rto());
            return this;
        }

        /** The check of the security controls after the restarts. Required. */
        public Builder securityHealth(HealthCheckVerifier health) {
            this.health = Objects.requireNonNull(health, "securityHealth");
            return this;
        }

        private static List<String> checked(String... command) {
            ServiceRestartStep.builder().command(command);
            return List.of(command);
        }

        /**
         * The rollback, every step built and checked.
         *
         * @throws IllegalStateException naming the missing part
         */
        public SecurityMonitoringRollback build() {
            Compositions.require(configStore, "configStore");
            Compositions.require(health, "securityHealth");
            return new SecurityMonitoringRollback(this);
        }
    }
}
