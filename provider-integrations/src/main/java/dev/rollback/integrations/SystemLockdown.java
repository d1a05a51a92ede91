package dev.rollback.integrations;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Notifier;
import dev.rollback.integrations.internal.SqlNames;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The full system lockdown: what the runbook's decision matrix asks for when a security breach is
 * detected ({@code Security Breach Detected → Full System Lockdown}, SEV0; action
 * {@value #ACTION}), and the recorded unlock that ends it. Until now the trigger fired and nothing
 * could carry it out.
 *
 * <p>The lockdown ({@link #lockdownPlan()}, component {@value #COMPONENT}):
 * <ol>
 *   <li>{@value #LOGINS_RESTRICTED}: the {@value ModeFlagTable#LOGIN_POLICY} flag set to the
 *       break-glass role, first, so the door is shut before anyone is sent out: from then on the
 *       application's {@link LoginGate} lets only that role sign in;</li>
 *   <li>{@value #MAINTENANCE_ON}: the {@value ModeFlagTable#MAINTENANCE} flag on;</li>
 *   <li>{@value #SESSIONS_REVOKED}: every active session revoked except the break-glass role's
 *       ({@link SessionRevocationStep}; {@link Builder#markRevokedIn(String)} keeps them, marked, for
 *       the investigation), after the door is shut, so no revoked user signs straight back in;</li>
 *   <li>{@value #SECURITY_TEAM_NOTIFIED}: the security team told (SEV0, {@link UserNotificationStep}),
 *       with no dependency: it goes out at once, and even if a step of the lockdown fails.</li>
 * </ol>
 * Each flag change records who made it and when ({@link ModeFlagTable#withChangeRecord}: the run's
 * initiator, such as {@code automatic:trigger:security-breach (run ...)}).
 *
 * <p>The unlock ({@link #unlockPlan()}, run by a person: give the executor the approval policy
 * that security configurations need): maintenance off, then logins open, each change recorded with
 * the person who ran it (the recorded unlock), and the security team told. Revoked sessions stay
 * revoked; their users sign in again.
 *
 * <p>The runbook sets no objective for the lockdown; {@link #OBJECTIVES} (RTO 5 minutes, RPO 0) is
 * this provider's, the authentication rollback's budget. Build with {@link #builder()}; everything
 * is checked by {@link Builder#build()}. Immutable and thread-safe.
 */
public final class SystemLockdown {
    /** The decision matrix's action this carries out (equal to the trigger engine's {@code DecisionMatrix.FULL_SYSTEM_LOCKDOWN}). */
    public static final String ACTION = "full-system-lockdown";
    /** The runbook's severity for a security breach. */
    public static final Severity SEVERITY = Severity.SEV0;
    /** The component of every step. */
    public static final String COMPONENT = "lockdown";
    /** RTO 5 minutes, RPO 0 (the runbook gives none; see the class comment). */
    public static final RecoveryObjectives OBJECTIVES = RecoveryObjectives.stateless(Duration.ofMinutes(5));
    /** The plan name of {@link #lockdownPlan()}. */
    public static final String PLAN_NAME = "full-system-lockdown";
    /** The plan name of {@link #unlockPlan()}. */
    public static final String UNLOCK_PLAN_NAME = "full-system-unlock";
    /** The role that may still sign in, by default. */
    public static final String DEFAULT_BREAK_GLASS_ROLE = "break-glass";
    /** Step id: logins restricted to the break-glass role. */
    public static final String LOGINS_RESTRICTED = "lockdown-logins-break-glass-only";
    /** Step id: maintenance mode on. */
    public static final String MAINTENANCE_ON = "lockdown-maintenance-on";
    /** Step id: sessions revoked. */
    public static final String SESSIONS_REVOKED = "lockdown-sessions-revoked";
    /** Step id: the security team notified of the lockdown. */
    public static final String SECURITY_TEAM_NOTIFIED = "lockdown-security-team-notified";
    /** Step id of the unlock: maintenance mode off. */
    public static final String MAINTENANCE_OFF = "unlock-maintenance-off";
    /** Step id of the unlock: logins open. */
    public static final String LOGINS_OPEN = "unlock-logins-open";
    /** Step id of the unlock: the security team notified. */
    public static final String UNLOCK_NOTIFIED = "unlock-security-team-notified";
    /** Why the session revocation may delete without a backup before it. */
    public static final String SESSIONS_NO_SAFEGUARD = "sessions hold no data of record; their users sign in again";

    private final ModeFlagStep loginsRestricted;
    private final ModeFlagStep maintenanceOn;
    private final SessionRevocationStep sessionsRevoked;
    private final UserNotificationStep lockdownNotice;
    private final ModeFlagStep maintenanceOff;
    private final ModeFlagStep loginsOpen;
    private final UserNotificationStep unlockNotice;
    private final String breakGlassRole;
    private final ModeFlagTable flags;

    private SystemLockdown(Builder b) {
        this.flags = b.modeFlags;
        this.breakGlassRole = b.breakGlassRole;
        this.loginsRestricted = flags.set(b.dataSource, ModeFlagTable.LOGIN_POLICY, b.breakGlassRole)
                .id(LOGINS_RESTRICTED)
                .component(COMPONENT)
                .build();
        this.maintenanceOn = flags.set(b.dataSource, ModeFlagTable.MAINTENANCE, ModeFlagTable.ON)
                .id(MAINTENANCE_ON)
                .component(COMPONENT)
                .build();
        SessionRevocationStep.Builder sessions = SessionRevocationStep.builder(b.dataSource)
                .id(SESSIONS_REVOKED)
                .component(COMPONENT)
                .table(b.sessionsTable)
                .idColumn(b.sessionIdColumn)
                .keep(b.sessionRoleColumn, b.breakGlassRole);
        if (b.revokedAtColumn != null) {
            sessions.revokedAtColumn(b.revokedAtColumn);
        }
        this.sessionsRevoked = sessions.build();
        this.lockdownNotice = UserNotificationStep.builder(b.notifier)
                .id(SECURITY_TEAM_NOTIFIED)
                .component(COMPONENT)
                .recipients(b.securityTeam)
                .stakeholder("security-team")
                .severity(SEVERITY)
                .subject("Full system lockdown: security breach detected")
                .body("A security breach was detected and the full system lockdown started: logins are refused"
                        + " except for the '" + b.breakGlassRole + "' role, maintenance mode is on and active"
                        + " sessions are revoked. The run's report has the details; unlocking needs the security"
                        + " officer's approval.")
                .requireAll(true)
                .resendOnResume(true)
                .build();
        this.maintenanceOff = flags.set(b.dataSource, ModeFlagTable.MAINTENANCE, ModeFlagTable.OFF)
                .id(MAINTENANCE_OFF)
                .component(COMPONENT)
                .build();
        this.loginsOpen = flags.set(b.dataSource, ModeFlagTable.LOGIN_POLICY, LoginGate.OPEN)
                .id(LOGINS_OPEN)
                .component(COMPONENT)
                .build();
        this.unlockNotice = UserNotificationStep.builder(b.notifier)
                .id(UNLOCK_NOTIFIED)
                .component(COMPONENT)
                .recipients(b.securityTeam)
                .stakeholder("security-team")
                .severity(SEVERITY)
                .subject("Full system lockdown lifted")
                .body("The full system lockdown was lifted: maintenance mode is off and logins are open again."
                        + " Who unlocked it is recorded with each flag and in the run's report.")
                .resendOnResume(true)
                .build();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The role that may sign in during the lockdown. */
    public String breakGlassRole() {
        return breakGlassRole;
    }

    /** The gate the application's sign-in code asks (see {@link LoginGate}). */
    public LoginGate loginGate(DataSource dataSource) {
        return LoginGate.of(dataSource, flags, Duration.ofSeconds(5));
    }

    /**
     * Adds the lockdown (see the class comment) to {@code plan}, declaring component
     * {@value #COMPONENT} with {@link #OBJECTIVES}.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addLockdownFragment(RollbackPlan.Builder plan) {
        Objects.requireNonNull(plan, "plan");
        return plan.component(COMPONENT, OBJECTIVES)
                .step(lockdownNotice)
                .step(loginsRestricted)
                .step(maintenanceOn, s -> s.dependsOn(LOGINS_RESTRICTED))
                .step(sessionsRevoked, s -> {
                    s.dependsOn(MAINTENANCE_ON);
                    if (sessionsRevoked.destructive()) {
                        s.withoutSafeguard(SESSIONS_NO_SAFEGUARD);
                    }
                });
    }

    /** A plan {@value #PLAN_NAME} with {@link #OBJECTIVES}: the catalog's plan for action {@value #ACTION}. */
    public RollbackPlan lockdownPlan() {
        return addLockdownFragment(RollbackPlan.builder(PLAN_NAME, OBJECTIVES).carriesOut(ACTION))
                .build();
    }

    /**
     * Adds the unlock to {@code plan}: maintenance off, then logins open (each change recorded with
     * the run's initiator), and the security team told.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addUnlockFragment(RollbackPlan.Builder plan) {
        Objects.requireNonNull(plan, "plan");
        return plan.component(COMPONENT, OBJECTIVES)
                .step(maintenanceOff)
                .step(loginsOpen, s -> s.dependsOn(MAINTENANCE_OFF))
                .step(unlockNotice, s -> s.dependsOn(LOGINS_OPEN));
    }

    /** A plan {@value #UNLOCK_PLAN_NAME} holding only the unlock. */
    public RollbackPlan unlockPlan() {
        return addUnlockFragment(RollbackPlan.builder(UNLOCK_PLAN_NAME, OBJECTIVES))
                .build();
    }

    @Override
    public String toString() {
        return "SystemLockdown[break-glass role " + breakGlassRole + ", " + flags + ", " + sessionsRevoked + "]";
    }

    /**
     * Builds a {@link SystemLockdown}. Required: {@link #dataSource}, {@link #sessions},
     * {@link #notifier}, {@link #securityTeam}. Setters check their argument at once; not
     * thread-safe; reusable.
     */
    public static final class Builder {
        private DataSource dataSource;
        private ModeFlagTable modeFlags = ModeFlagTable.ofDefaults().withChangeRecord("changed_by", "changed_at");
        private String breakGlassRole = DEFAULT_BREAK_GLASS_ROLE;
        private String sessionsTable;
        private String sessionIdColumn = "id";
        private String sessionRoleColumn;
        private String revokedAtColumn;
        private Notifier notifier;
        private Recipients securityTeam;

        private Builder() {}

        /** The application's database: mode flags and sessions. Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * Where the mode flags are; it must record changes ({@link ModeFlagTable#withChangeRecord}).
         * Default {@code app_mode(name, value, changed_by, changed_at)}.
         */
        public Builder modeFlags(ModeFlagTable modeFlags) {
            this.modeFlags = Objects.requireNonNull(modeFlags, "modeFlags");
            return this;
        }

        /** The one role that may still sign in. Default {@value SystemLockdown#DEFAULT_BREAK_GLASS_ROLE}. */
        public Builder breakGlassRole(String role) {
            this.breakGlassRole = Arguments.requireText(role, "breakGlassRole");
            if (role.equals(LoginGate.OPEN)) {
                throw new IllegalArgumentException(
                        "breakGlassRole must not be '" + LoginGate.OPEN + "', the login policy that lets everyone in");
            }
            return this;
        }

        /** The sessions table and its column with the session's role. Required. */
        public Builder sessions(String table, String roleColumn) {
            this.sessionsTable = SqlNames.requireTable(table, "sessionsTable");
            this.sessionRoleColumn = SqlNames.requireColumn(roleColumn, "sessionRoleColumn");
            return this;
        }

        /** The sessions table's unique column. Default {@code id}. */
        public Builder sessionIdColumn(String column) {
            this.sessionIdColumn = SqlNames.requireColumn(column, "sessionIdColumn");
            return this;
        }

        /** Marks revoked sessions in this timestamp column instead of deleting them (kept for the investigation). Default: delete. */
        public Builder markRevokedIn(String column) {
            this.revokedAtColumn = SqlNames.requireColumn(column, "markRevokedIn");
            return this;
        }

        /** How the security team is reached. Required. */
        public Builder notifier(Notifier notifier) {
            this.notifier = Objects.requireNonNull(notifier, "notifier");
            return this;
        }

        /** The security team's contacts. Required. */
        public Builder securityTeam(Recipients team) {
            this.securityTeam = Objects.requireNonNull(team, "securityTeam");
            return this;
        }

        /**
         * The lockdown and its unlock, every step built and checked.
         *
         * @throws IllegalStateException naming the missing part, or a flag table that records no change
         */
        public SystemLockdown build() {
            Compositions.require(dataSource, "dataSource");
            Compositions.require(sessionsTable, "sessions");
            Compositions.require(notifier, "notifier");
            Compositions.require(securityTeam, "securityTeam");
            if (!modeFlags.recordsChanges()) {
                throw new IllegalStateException("modeFlags must record who changed a flag and when (the recorded"
                        + " unlock): use ModeFlagTable.withChangeRecord(byColumn, atColumn), but was " + modeFlags);
            }
            return new SystemLockdown(this);
        }
    }
}
