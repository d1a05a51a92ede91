package dev.rollback.integrations;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Notifier;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.internal.SqlNames;
import dev.rollback.integrations.spi.ConfigStore;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The runbook's "QuickBooks Integration Rollback" (component {@value #COMPONENT}, RTO 10 minutes,
 * RPO 15 minutes: the last successful sync) as a plan fragment, in this order:
 *
 * <ol>
 *   <li>{@value #AUTO_SYNC_OFF}: {@code auto_sync = false, status = 'MAINTENANCE'} on the
 *       integration settings of provider {@code quickbooks} ({@link ModeFlagStep}), first, so no
 *       sync job starts against a configuration about to change; with
 *       {@link Builder#lastSyncColumn(String)} it records the data-loss window since the last
 *       successful sync, which the report holds against the RPO;</li>
 *   <li>{@value #OAUTH_CONFIG}: the OAuth configuration switched to the backup
 *       ({@link ConfigSwitchStep}), only once the backup endpoint answers its health check (a failing
 *       backup endpoint fails the step and leaves the configuration as it was), and verified by the
 *       same check after;</li>
 *   <li>the cached tokens cleared ({@link Builder#tokenClear(RollbackStep) your step}: provider-redis's
 *       {@code SelectiveInvalidationStep} for tokens in Redis, or a {@link SessionRevocationStep} for a
 *       token table), after the switch, so no token of the old client is cached again;</li>
 *   <li>{@value #NOTIFY_USERS}: the affected users told ({@link UserNotificationStep}), last, when
 *       what they are told is true.</li>
 * </ol>
 * Each step depends on the one before. Build with {@link #builder()}; everything is checked by
 * {@link Builder#build()}, before anything runs. Immutable and thread-safe.
 */
public final class QuickBooksRollback {
    /** The component of every step. */
    public static final String COMPONENT = "quickbooks";
    /** The runbook's objectives: RTO 10 minutes, RPO 15 minutes (the last successful sync). */
    public static final RecoveryObjectives RUNBOOK_OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(10), Duration.ofMinutes(15));
    /** The plan name of {@link #runbookPlan()}. */
    public static final String PLAN_NAME = "quickbooks-integration-rollback";
    /** Step id: automatic sync off, status MAINTENANCE. */
    public static final String AUTO_SYNC_OFF = "quickbooks-auto-sync-off";
    /** Step id: the OAuth configuration switched to the backup. */
    public static final String OAUTH_CONFIG = "quickbooks-oauth-config";
    /** Step id: affected users notified. */
    public static final String NOTIFY_USERS = "quickbooks-notify-users";
    /** The status the runbook gives the integration. */
    public static final String MAINTENANCE = "MAINTENANCE";
    /** Why the token clear may run without a backup before it. */
    public static final String TOKENS_NO_SAFEGUARD =
            "cached OAuth tokens hold no data of record; they are issued again when users re-authorize";

    private final ModeFlagStep autoSyncOff;
    private final ConfigSwitchStep oauthConfig;
    private final RollbackStep tokenClear;
    private final UserNotificationStep notifyUsers;
    private final HealthCheckVerifier backupHealth;

    private QuickBooksRollback(Builder b) {
        ModeFlagStep.Builder flags = ModeFlagStep.builder(b.dataSource)
                .id(AUTO_SYNC_OFF)
                .component(COMPONENT)
                .table(b.settingsTable)
                .where(b.providerColumn, b.provider)
                .set(b.autoSyncColumn, false)
                .set(b.statusColumn, MAINTENANCE);
        if (b.lastSyncColumn != null) {
            flags.dataLossWindowSince(b.lastSyncColumn);
        }
        this.autoSyncOff = flags.build();
        this.oauthConfig = ConfigSwitchStep.builder(b.configStore)
                .id(OAUTH_CONFIG)
                .component(COMPONENT)
                .config(b.oauthConfig)
                .backup(b.backupOauthConfig)
                .healthGate(b.backupHealth)
                .build();
        this.tokenClear = b.tokenClear;
        this.notifyUsers = UserNotificationStep.builder(b.notifier)
                .id(NOTIFY_USERS)
                .component(COMPONENT)
                .recipients(b.affectedUsers)
                .subject(b.subject)
                .body(b.body)
                .build();
        this.backupHealth = b.backupHealth;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The first step: automatic sync off. */
    public ModeFlagStep autoSyncOff() {
        return autoSyncOff;
    }

    /** The configuration switch; {@code oauthConfigSwitch().switchBack()} undoes it. */
    public ConfigSwitchStep oauthConfigSwitch() {
        return oauthConfig;
    }

    /** The token clear you gave. */
    public RollbackStep tokenClear() {
        return tokenClear;
    }

    /** The notification step. */
    public UserNotificationStep notifyUsers() {
        return notifyUsers;
    }

    /**
     * Adds the fragment (see the class comment) to {@code plan}, declaring component
     * {@value #COMPONENT} with {@link #RUNBOOK_OBJECTIVES}.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addRunbookFragment(RollbackPlan.Builder plan) {
        Objects.requireNonNull(plan, "plan");
        plan.component(COMPONENT, RUNBOOK_OBJECTIVES)
                .step(autoSyncOff)
                .step(oauthConfig, s -> s.dependsOn(AUTO_SYNC_OFF).verifier(backupHealth))
                .step(tokenClear, s -> {
                    s.dependsOn(OAUTH_CONFIG);
                    if (tokenClear.destructive()) {
                        s.withoutSafeguard(TOKENS_NO_SAFEGUARD);
                    }
                })
                .step(notifyUsers, s -> s.dependsOn(tokenClear.id()));
        return plan;
    }

    /** A plan {@value #PLAN_NAME} with {@link #RUNBOOK_OBJECTIVES} holding only the fragment. */
    public RollbackPlan runbookPlan() {
        return addRunbookFragment(RollbackPlan.builder(PLAN_NAME, RUNBOOK_OBJECTIVES))
                .build();
    }

    @Override
    public String toString() {
        return "QuickBooksRollback[" + autoSyncOff.describe() + "; " + oauthConfig + "; " + tokenClear + "; "
                + notifyUsers + "]";
    }

    /**
     * Builds a {@link QuickBooksRollback}. Required: {@link #dataSource}, {@link #configStore},
     * {@link #tokenClear}, {@link #notifier}, {@link #affectedUsers}, {@link #backupEndpointHealth}.
     * Setters check their argument at once; not thread-safe; reusable.
     */
    public static final class Builder {
        private DataSource dataSource;
        private String settingsTable = "integration_setting";
        private String providerColumn = "provider";
        private String provider = "quickbooks";
        private String autoSyncColumn = "auto_sync";
        private String statusColumn = "status";
        private String lastSyncColumn;
        private ConfigStore configStore;
        private String oauthConfig = "quickbooks-oauth";
        private String backupOauthConfig = "quickbooks-oauth-backup";
        private RollbackStep tokenClear;
        private Notifier notifier;
        private Recipients affectedUsers;
        private String subject = "QuickBooks sync is paused";
        private String body = "We have paused QuickBooks synchronization while we fix a problem with the"
                + " integration. Your data is safe; you may be asked to reconnect QuickBooks when sync resumes.";
        private HealthCheckVerifier backupHealth;

        private Builder() {}

        /** The application's database, holding the integration settings. Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The integration settings table. Default {@code integration_setting}. */
        public Builder settingsTable(String table) {
            this.settingsTable = SqlNames.requireTable(table, "settingsTable");
            return this;
        }

        /** The column naming the provider, and the value for QuickBooks. Default {@code provider = 'quickbooks'}. */
        public Builder provider(String column, String value) {
            this.providerColumn = SqlNames.requireColumn(column, "providerColumn");
            this.provider = Arguments.requireText(value, "provider");
            return this;
        }

        /** The boolean automatic-sync column. Default {@code auto_sync}. */
        public Builder autoSyncColumn(String column) {
            this.autoSyncColumn = SqlNames.requireColumn(column, "autoSyncColumn");
            return this;
        }

        /** The status column (set to {@value QuickBooksRollback#MAINTENANCE}). Default {@code status}. */
        public Builder statusColumn(String column) {
            this.statusColumn = SqlNames.requireColumn(column, "statusColumn");
            return this;
        }

        /** The timestamp of the last successful sync, for the data-loss window. Default: none recorded. */
        public Builder lastSyncColumn(String column) {
            this.lastSyncColumn = SqlNames.requireColumn(column, "lastSyncColumn");
            return this;
        }

        /** Where the OAuth configurations are. Required. */
        public Builder configStore(ConfigStore store) {
            this.configStore = Objects.requireNonNull(store, "configStore");
            return this;
        }

        /** The OAuth configuration and its backup. Default {@code quickbooks-oauth} and {@code quickbooks-oauth-backup}. */
        public Builder oauthConfig(String config, String backup) {
            this.oauthConfig = Arguments.requireId(config, "oauthConfig");
            this.backupOauthConfig = Arguments.requireId(backup, "backupOauthConfig");
            return this;
        }

        /**
         * The step that clears the cached tokens, in component {@value QuickBooksRollback#COMPONENT}:
         * provider-redis's {@code SelectiveInvalidationStep} ({@code qb:token:*}) or a
         * {@link SessionRevocationStep} on a token table. Required.
         */
        public Builder tokenClear(RollbackStep step) {
            this.tokenClear = Objects.requireNonNull(step, "tokenClear");
            return this;
        }

        /** How affected users are reached. Required. */
        public Builder notifier(Notifier notifier) {
            this.notifier = Objects.requireNonNull(notifier, "notifier");
            return this;
        }

        /** Who is affected (those with a QuickBooks connection). Required. */
        public Builder affectedUsers(Recipients users) {
            this.affectedUsers = Objects.requireNonNull(users, "affectedUsers");
            return this;
        }

        /** The message to the affected users. Default: a plain notice that sync is paused. */
        public Builder userMessage(String subject, String body) {
            this.subject = Arguments.requireText(subject, "subject");
            this.body = Objects.requireNonNull(body, "body");
            return this;
        }

        /** The backup endpoint's health check (the sandbox base URL of the backup configuration). Required. */
        public Builder backupEndpointHealth(HealthCheckVerifier health) {
            this.backupHealth = Objects.requireNonNull(health, "backupEndpointHealth");
            return this;
        }

        /**
         * The rollback, with every step built and checked.
         *
         * @throws IllegalStateException naming the missing part, a token clear of another component,
         *     or one whose id collides with the fragment's
         */
        public QuickBooksRollback build() {
            Compositions.require(dataSource, "dataSource");
            Compositions.require(configStore, "configStore");
            Compositions.require(tokenClear, "tokenClear");
            Compositions.require(notifier, "notifier");
            Compositions.require(affectedUsers, "affectedUsers");
            Compositions.require(backupHealth, "backupEndpointHealth");
            Compositions.requireComponent(tokenClear, "tokenClear", COMPONENT);
            Compositions.requireDistinctIds(tokenClear, AUTO_SYNC_OFF, OAUTH_CONFIG, NOTIFY_USERS);
            return new QuickBooksRollback(this);
        }
    }
}
