package dev.rollback.integrations;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.internal.SqlNames;
import dev.rollback.integrations.spi.ConfigDocument;
import dev.rollback.integrations.spi.ConfigStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The runbook's "Authentication System Rollback" (NextAuth.js and Azure AD; component
 * {@value #COMPONENT}, RTO 5 minutes, RPO 0) as a plan fragment, in this order:
 *
 * <ol>
 *   <li>{@value #ALLOW_LIST}: the emergency email-domain allow-list published to configuration
 *       {@code auth-email-allow-list} ({@link ConfigSwitchStep} with fixed content:
 *       {@link EmailDomainAllowList#toConfig()}), first, so that the first sign-in through the backup
 *       identity provider is already filtered; verified by reading it back (it must parse to the
 *       intended list and refuse {@code user@evil.com@<domain>}). The application loads it with
 *       {@link EmailDomainAllowList#parseOptional(String)} and calls
 *       {@link EmailDomainAllowList#permits(String)}, which parses addresses properly, unlike the
 *       runbook's {@code endsWith};</li>
 *   <li>{@value #IDP_CONFIG}: the identity-provider configuration switched to the backup tenant
 *       ({@link ConfigSwitchStep}), once the backup's health check (its OpenID discovery document)
 *       passes, and verified by it after;</li>
 *   <li>{@value #SESSION_CAP}, with {@link Builder#sessions(DataSource, String, String)}: the
 *       sessions already handed out capped at {@link #EMERGENCY_SESSION_MAX_AGE} from now
 *       ({@link SessionCapStep}), after the switch, so sessions of the old configuration end within the
 *       emergency maximum too. (With JWT sessions, as in the runbook, there is no table: the backup
 *       configuration's {@code maxAge} is the cap.)</li>
 * </ol>
 * Build with {@link #builder()}; everything is checked by {@link Builder#build()}. Immutable and
 * thread-safe.
 */
public final class AuthenticationRollback {
    /** The component of every step. */
    public static final String COMPONENT = "authentication";
    /** The runbook's objectives: RTO 5 minutes, RPO 0. */
    public static final RecoveryObjectives RUNBOOK_OBJECTIVES = RecoveryObjectives.stateless(Duration.ofMinutes(5));
    /** The runbook's emergency session lifetime: 30 minutes. */
    public static final Duration EMERGENCY_SESSION_MAX_AGE = Duration.ofMinutes(30);
    /** The plan name of {@link #runbookPlan()}. */
    public static final String PLAN_NAME = "authentication-rollback";
    /** Step id: the allow-list published. */
    public static final String ALLOW_LIST = "auth-email-allow-list";
    /** Step id: the identity provider switched to the backup. */
    public static final String IDP_CONFIG = "auth-idp-config";
    /** Step id: sessions capped. */
    public static final String SESSION_CAP = "auth-session-cap";
    /** The name of the verifier that reads the published allow-list back. */
    public static final String ALLOW_LIST_CHECK = "email-allow-list-published";

    private final ConfigSwitchStep allowList;
    private final ConfigSwitchStep idp;
    private final Optional<SessionCapStep> sessionCap;
    private final HealthCheckVerifier idpHealth;
    private final Verifier allowListCheck;

    private AuthenticationRollback(Builder b) {
        this.allowList = ConfigSwitchStep.builder(b.configStore)
                .id(ALLOW_LIST)
                .component(COMPONENT)
                .config(b.allowListConfig)
                .content("emergency-email-allow-list", b.emailAllowList.toConfig())
                .build();
        this.idp = ConfigSwitchStep.builder(b.configStore)
                .id(IDP_CONFIG)
                .component(COMPONENT)
                .config(b.idpConfig)
                .backup(b.backupIdpConfig)
                .healthGate(b.idpHealth)
                .build();
        this.sessionCap = b.sessionsDataSource == null
                ? Optional.empty()
                : Optional.of(SessionCapStep.builder(b.sessionsDataSource)
                        .id(SESSION_CAP)
                        .component(COMPONENT)
                        .table(b.sessionsTable)
                        .expiresAtColumn(b.expiresAtColumn)
                        .maxAge(b.maxAge)
                        .build());
        this.idpHealth = b.idpHealth;
        this.allowListCheck = allowListCheck(b.configStore, b.allowListConfig, b.emailAllowList);
    }

    private static Verifier allowListCheck(ConfigStore store, String config, EmailDomainAllowList intended) {
        String first = intended.domains().stream().sorted().findFirst().orElseThrow();
        String attack = "user@evil.com@" + first;
        String legit = "rollback-check@" + first;
        String checked = "'" + config + "' holds the emergency allow-list "
                + intended.domains().stream().sorted().toList() + ", which permits " + legit + " and refuses " + attack;
        return Verifier.of(ALLOW_LIST_CHECK, ctx -> {
            Optional<ConfigDocument> doc = store.read(config, ctx.remaining());
            if (doc.isEmpty()) {
                return Verification.failed(ALLOW_LIST_CHECK, checked, "'" + config + "' does not exist");
            }
            Optional<EmailDomainAllowList> published;
            try {
                published = EmailDomainAllowList.parseOptional(doc.get().content());
            } catch (IllegalArgumentException e) {
                return Verification.failed(ALLOW_LIST_CHECK, checked, "it does not parse: " + e.getMessage());
            }
            boolean ok = published.isPresent()
                    && published.get().equals(intended)
                    && published.get().permits(legit)
                    && !published.get().permits(attack);
            String observed = published
                    .map(l -> "version " + doc.get().version() + " lists "
                            + l.domains().stream().sorted().toList()
                            + (l.permits(attack) ? " and permits " + attack : ""))
                    .orElse("version " + doc.get().version() + " names no domain (no restriction)");
            Verification v = ok
                    ? Verification.passed(ALLOW_LIST_CHECK, checked, observed)
                    : Verification.failed(ALLOW_LIST_CHECK, checked, observed);
            return v.withDetail("sha256", doc.get().sha256());
        });
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The allow-list step; {@code allowListSwitch().switchBack()} puts the earlier list back. */
    public ConfigSwitchStep allowListSwitch() {
        return allowList;
    }

    /** The identity-provider switch; {@code idpConfigSwitch().switchBack()} undoes it. */
    public ConfigSwitchStep idpConfigSwitch() {
        return idp;
    }

    /** The session cap, when a session table was given. */
    public Optional<SessionCapStep> sessionCap() {
        return sessionCap;
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
                .step(allowList, s -> s.verifier(allowListCheck))
                .step(idp, s -> s.dependsOn(ALLOW_LIST).verifier(idpHealth));
        sessionCap.ifPresent(cap -> plan.step(cap, s -> s.dependsOn(IDP_CONFIG)));
        return plan;
    }

    /** A plan {@value #PLAN_NAME} with {@link #RUNBOOK_OBJECTIVES} holding only the fragment. */
    public RollbackPlan runbookPlan() {
        return addRunbookFragment(RollbackPlan.builder(PLAN_NAME, RUNBOOK_OBJECTIVES))
                .build();
    }

    @Override
    public String toString() {
        return "AuthenticationRollback[" + allowList + "; " + idp
                + sessionCap.map(c -> "; " + c).orElse("") + "]";
    }

    /**
     * Builds an {@link AuthenticationRollback}. Required: {@link #configStore},
     * {@link #backupIdpHealth}, {@link #emailAllowList}. Setters check their argument at once; not
     * thread-safe; reusable.
     */
    public static final class Builder {
        private ConfigStore configStore;
        private String idpConfig = "auth-idp";
        private String backupIdpConfig = "auth-idp-backup";
        private String allowListConfig = "auth-email-allow-list";
        private HealthCheckVerifier idpHealth;
        private EmailDomainAllowList emailAllowList;
        private DataSource sessionsDataSource;
        private String sessionsTable;
        private String expiresAtColumn;
        private Duration maxAge = EMERGENCY_SESSION_MAX_AGE;

        private Builder() {}

        /** Where the identity-provider configuration and the allow-list are. Required. */
        public Builder configStore(ConfigStore store) {
            this.configStore = Objects.requireNonNull(store, "configStore");
            return this;
        }

        /** The identity-provider configuration and its backup. Default {@code auth-idp}, {@code auth-idp-backup}. */
        public Builder idpConfig(String config, String backup) {
            this.idpConfig = Arguments.requireId(config, "idpConfig");
            this.backupIdpConfig = Arguments.requireId(backup, "backupIdpConfig");
            return this;
        }

        /**
         * The configuration the application reads its allow-list from; it must exist (outside
         * emergencies it may hold only comments). Default {@code auth-email-allow-list}.
         */
        public Builder allowListConfig(String config) {
            this.allowListConfig = Arguments.requireId(config, "allowListConfig");
            return this;
        }

        /** The health check of the backup identity provider (its OpenID discovery document). Required. */
        public Builder backupIdpHealth(HealthCheckVerifier health) {
            this.idpHealth = Objects.requireNonNull(health, "backupIdpHealth");
            return this;
        }

        /** The emergency allow-list. Required. */
        public Builder emailAllowList(EmailDomainAllowList list) {
            this.emailAllowList = Objects.requireNonNull(list, "emailAllowList");
            return this;
        }

        /** The application's session table and its expiry column, to cap the sessions it holds. Default: none. */
        public Builder sessions(DataSource dataSource, String table, String expiresAtColumn) {
            this.sessionsDataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.sessionsTable = SqlNames.requireTable(table, "sessionsTable");
            this.expiresAtColumn = SqlNames.requireColumn(expiresAtColumn, "expiresAtColumn");
            return this;
        }

        /** The emergency session lifetime. Default {@link AuthenticationRollback#EMERGENCY_SESSION_MAX_AGE}. */
        public Builder sessionMaxAge(Duration maxAge) {
            this.maxAge = Arguments.requirePositive(maxAge, "sessionMaxAge", Duration.ofDays(1));
            return this;
        }

        /**
         * The rollback, every step built and checked.
         *
         * @throws IllegalStateException naming the missing part, or when the allow-list and the
         *     identity provider share a configuration
         */
        public AuthenticationRollback build() {
            Compositions.require(configStore, "configStore");
            Compositions.require(idpHealth, "backupIdpHealth");
            Compositions.require(emailAllowList, "emailAllowList");
            if (allowListConfig.equals(idpConfig) || allowListConfig.equals(backupIdpConfig)) {
                throw new IllegalStateException("allowListConfig must be its own configuration, but was '"
                        + allowListConfig + "', an identity-provider configuration");
            }
            return new AuthenticationRollback(this);
        }
    }
}
