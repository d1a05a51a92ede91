package dev.rollback.integrations;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.internal.Arguments;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.internal.SqlNames;
import dev.rollback.integrations.spi.ConfigStore;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The runbook's "AI Services Rollback" (Azure OpenAI and Document Intelligence; component
 * {@value #COMPONENT}, RTO 5 minutes, RPO 0) as a plan fragment, in this order:
 *
 * <ol>
 *   <li>{@value #MANUAL_PROCESSING_ON}: the {@value ModeFlagTable#MANUAL_PROCESSING} flag on
 *       ({@link ModeFlagStep}), first, so new documents go to people and nothing new is queued for
 *       the AI services while they are switched;</li>
 *   <li>{@value #QUEUE_PARK}: the pending jobs of the processing queue parked ({@link QueueParkStep};
 *       the runbook's "clear processing queue", without deleting a job), so no worker sends them to
 *       the failing endpoints;</li>
 *   <li>{@value #OPENAI_CONFIG} and {@value #DOCUMENT_INTELLIGENCE_CONFIG}, side by side: each
 *       service's configuration switched to its backup ({@link ConfigSwitchStep}) once the backup
 *       endpoint answers its health check, and verified by that check after; the OpenAI backup
 *       configuration must name the fallback model (default {@value #FALLBACK_MODEL}, the runbook's),
 *       checked before anything is written.</li>
 * </ol>
 * {@link #addRestoreFragment} undoes it, in the reverse order: both configurations back, the
 * parked jobs back to pending, manual processing off. Build with {@link #builder()}; everything is
 * checked by {@link Builder#build()}. Immutable and thread-safe.
 */
public final class AiServicesRollback {
    /** The component of every step. */
    public static final String COMPONENT = "ai-services";
    /** The runbook's objectives: RTO 5 minutes, RPO 0 (stateless). */
    public static final RecoveryObjectives RUNBOOK_OBJECTIVES = RecoveryObjectives.stateless(Duration.ofMinutes(5));
    /** The plan name of {@link #runbookPlan()}. */
    public static final String PLAN_NAME = "ai-services-rollback";
    /** The plan name of {@link #restorePlan()}. */
    public static final String RESTORE_PLAN_NAME = "ai-services-restore";
    /** The runbook's fallback model ("more stable"). */
    public static final String FALLBACK_MODEL = "gpt-3.5-turbo";
    /** Step id: manual processing mode on. */
    public static final String MANUAL_PROCESSING_ON = "ai-manual-processing-on";
    /** Step id: the processing queue parked. */
    public static final String QUEUE_PARK = "ai-queue-park";
    /** Step id: the OpenAI configuration switched to the backup. */
    public static final String OPENAI_CONFIG = "ai-openai-config";
    /** Step id: the Document Intelligence configuration switched to the backup. */
    public static final String DOCUMENT_INTELLIGENCE_CONFIG = "ai-document-intelligence-config";
    /** Step id of the restore: manual processing mode off. */
    public static final String MANUAL_PROCESSING_OFF = "ai-manual-processing-off";

    private final ModeFlagStep manualOn;
    private final ModeFlagStep manualOff;
    private final QueueParkStep park;
    private final ConfigSwitchStep openAi;
    private final ConfigSwitchStep documentIntelligence;
    private final HealthCheckVerifier openAiHealth;
    private final HealthCheckVerifier documentIntelligenceHealth;

    private AiServicesRollback(Builder b) {
        this.manualOn = b.modeFlags
                .set(b.dataSource, ModeFlagTable.MANUAL_PROCESSING, ModeFlagTable.ON)
                .id(MANUAL_PROCESSING_ON)
                .component(COMPONENT)
                .build();
        this.manualOff = b.modeFlags
                .set(b.dataSource, ModeFlagTable.MANUAL_PROCESSING, ModeFlagTable.OFF)
                .id(MANUAL_PROCESSING_OFF)
                .component(COMPONENT)
                .build();
        QueueParkStep.Builder q = QueueParkStep.builder(b.dataSource)
                .id(QUEUE_PARK)
                .component(COMPONENT)
                .table(b.queueTable)
                .pending(b.pending)
                .parked(b.parked);
        if (b.queueColumn != null) {
            q.where(b.queueColumn, b.queueName);
        }
        this.park = q.build();
        this.openAi = ConfigSwitchStep.builder(b.configStore)
                .id(OPENAI_CONFIG)
                .component(COMPONENT)
                .config(b.openAiConfig)
                .backup(b.openAiBackup)
                .backupMustContain(b.fallbackModel)
                .healthGate(b.openAiHealth)
                .build();
        this.documentIntelligence = ConfigSwitchStep.builder(b.configStore)
                .id(DOCUMENT_INTELLIGENCE_CONFIG)
                .component(COMPONENT)
                .config(b.documentIntelligenceConfig)
                .backup(b.documentIntelligenceBackup)
                .healthGate(b.documentIntelligenceHealth)
                .build();
        this.openAiHealth = b.openAiHealth;
        this.documentIntelligenceHealth = b.documentIntelligenceHealth;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The queue park; {@code queuePark().unpark()} undoes it. */
    public QueueParkStep queuePark() {
        return park;
    }

    /** The OpenAI configuration switch. */
    public ConfigSwitchStep openAiConfigSwitch() {
        return openAi;
    }

    /** The Document Intelligence configuration switch. */
    public ConfigSwitchStep documentIntelligenceConfigSwitch() {
        return documentIntelligence;
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
                .step(manualOn)
                .step(park, s -> s.dependsOn(MANUAL_PROCESSING_ON))
                .step(openAi, s -> s.dependsOn(QUEUE_PARK).verifier(openAiHealth))
                .step(documentIntelligence, s -> s.dependsOn(QUEUE_PARK).verifier(documentIntelligenceHealth));
    }

    /** A plan {@value #PLAN_NAME} with {@link #RUNBOOK_OBJECTIVES} holding only the fragment. */
    public RollbackPlan runbookPlan() {
        return addRunbookFragment(RollbackPlan.builder(PLAN_NAME, RUNBOOK_OBJECTIVES))
                .build();
    }

    /**
     * Adds the way back to {@code plan}: both configurations switched back (side by side; the
     * primary endpoints are not gated, since the restore is run once they are fixed), then the
     * parked jobs back to pending, then manual processing off, so the workers take the jobs up
     * with the primary endpoints.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addRestoreFragment(RollbackPlan.Builder plan) {
        Objects.requireNonNull(plan, "plan");
        ConfigSwitchStep openAiBack = openAi.switchBack();
        ConfigSwitchStep documentIntelligenceBack = documentIntelligence.switchBack();
        QueueParkStep unpark = park.unpark();
        return plan.component(COMPONENT, RUNBOOK_OBJECTIVES)
                .step(openAiBack)
                .step(documentIntelligenceBack)
                .step(unpark, s -> s.dependsOn(openAiBack.id(), documentIntelligenceBack.id()))
                .step(manualOff, s -> s.dependsOn(unpark.id()));
    }

    /** A plan {@value #RESTORE_PLAN_NAME} holding only {@link #addRestoreFragment the restore}. */
    public RollbackPlan restorePlan() {
        return addRestoreFragment(RollbackPlan.builder(RESTORE_PLAN_NAME, RUNBOOK_OBJECTIVES))
                .build();
    }

    @Override
    public String toString() {
        return "AiServicesRollback[" + manualOn.describe() + "; " + park + "; " + openAi + "; " + documentIntelligence
                + "]";
    }

    /**
     * Builds an {@link AiServicesRollback}. Required: {@link #dataSource}, {@link #configStore},
     * {@link #openAiBackupHealth}, {@link #documentIntelligenceBackupHealth}. Setters check their
     * argument at once; not thread-safe; reusable.
     */
    public static final class Builder {
        private DataSource dataSource;
        private ModeFlagTable modeFlags = ModeFlagTable.ofDefaults();
        private String queueTable = "ai_processing_jobs";
        private String queueColumn;
        private String queueName;
        private String pending = "PENDING";
        private String parked = "PARKED";
        private ConfigStore configStore;
        private String openAiConfig = "openai";
        private String openAiBackup = "openai-backup";
        private String documentIntelligenceConfig = "document-intelligence";
        private String documentIntelligenceBackup = "document-intelligence-backup";
        private String fallbackModel = FALLBACK_MODEL;
        private HealthCheckVerifier openAiHealth;
        private HealthCheckVerifier documentIntelligenceHealth;

        private Builder() {}

        /** The application's database: mode flags and the processing queue. Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Where the mode flags are. Default {@link ModeFlagTable#ofDefaults()}. */
        public Builder modeFlags(ModeFlagTable modeFlags) {
            this.modeFlags = Objects.requireNonNull(modeFlags, "modeFlags");
            return this;
        }

        /** The processing queue's table. Default {@code ai_processing_jobs}. */
        public Builder queueTable(String table) {
            this.queueTable = SqlNames.requireTable(table, "queueTable");
            return this;
        }

        /** Only the jobs where {@code column} holds {@code name} (one queue of a shared table). Default: every job. */
        public Builder queue(String column, String name) {
            this.queueColumn = SqlNames.requireColumn(column, "queueColumn");
            this.queueName = Arguments.requireText(name, "queue");
            return this;
        }

        /** The states of a waiting job and of a parked one. Default {@code PENDING} and {@code PARKED}. */
        public Builder jobStates(String pending, String parked) {
            this.pending = Arguments.requireText(pending, "pending");
            this.parked = Arguments.requireText(parked, "parked");
            return this;
        }

        /** Where the service configurations are. Required. */
        public Builder configStore(ConfigStore store) {
            this.configStore = Objects.requireNonNull(store, "configStore");
            return this;
        }

        /** The OpenAI configuration and its backup. Default {@code openai}, {@code openai-backup}. */
        public Builder openAiConfig(String config, String backup) {
            this.openAiConfig = Arguments.requireId(config, "openAiConfig");
            this.openAiBackup = Arguments.requireId(backup, "openAiBackup");
            return this;
        }

        /**
         * The Document Intelligence configuration and its backup. Default
         * {@code document-intelligence}, {@code document-intelligence-backup}.
         */
        public Builder documentIntelligenceConfig(String config, String backup) {
            this.documentIntelligenceConfig = Arguments.requireId(config, "documentIntelligenceConfig");
            this.documentIntelligenceBackup = Arguments.requireId(backup, "documentIntelligenceBackup");
            return this;
        }

        /** The model the OpenAI backup configuration must name. Default {@value AiServicesRollback#FALLBACK_MODEL}. */
        public Builder fallbackModel(String model) {
            this.fallbackModel = Arguments.requireText(model, "fallbackModel");
            return this;
        }

        /** The health check of the OpenAI backup endpoint. Required. */
        public Builder openAiBackupHealth(HealthCheckVerifier health) {
            this.openAiHealth = Objects.requireNonNull(health, "openAiBackupHealth");
            return this;
        }

        /** The health check of the Document Intelligence backup endpoint. Required. */
        public Builder documentIntelligenceBackupHealth(HealthCheckVerifier health) {
            this.documentIntelligenceHealth = Objects.requireNonNull(health, "documentIntelligenceBackupHealth");
            return this;
        }

        /**
         * The rollback, every step built and checked.
         *
         * @throws IllegalStateException naming the missing part, or when the two services share a
         *     configuration, or both health checks have the same name
         */
        public AiServicesRollback build() {
            Compositions.require(dataSource, "dataSource");
            Compositions.require(configStore, "configStore");
            Compositions.require(openAiHealth, "openAiBackupHealth");
            Compositions.require(documentIntelligenceHealth, "documentIntelligenceBackupHealth");
            if (openAiConfig.equals(documentIntelligenceConfig)) {
                throw new IllegalStateException("OpenAI and Document Intelligence must have their own configurations,"
                        + " but both were '" + openAiConfig + "'");
            }
            if (openAiHealth.name().equals(documentIntelligenceHealth.name())) {
                throw new IllegalStateException("the two health checks must have their own names (the report tells"
                        + " them apart by name), but both were '" + openAiHealth.name() + "'");
            }
            return new AiServicesRollback(this);
        }
    }
}
