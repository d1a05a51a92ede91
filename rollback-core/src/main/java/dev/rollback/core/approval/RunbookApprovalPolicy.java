package dev.rollback.core.approval;

import dev.rollback.api.Decision;
import dev.rollback.api.Initiator;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Severity;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.governance.ApprovalPolicy;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.escalation.EscalationContacts;
import dev.rollback.core.escalation.EscalationRole;
import dev.rollback.core.notification.NotificationDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The runbook's "Manual Rollback Authorization" as an {@link ApprovalPolicy}.
 *
 * <ul>
 * <li>A run started by an automatic trigger ({@link Initiator.Kind#AUTOMATIC}) is pre-authorized,
 *     and the authorization says which rule decided it.</li>
 * <li>Any other run (manual or drill) of a plan needs the approvals its {@link RollbackClassification}
 *     calls for. {@link ApprovalPath#PLANNED planned}: the {@link AuthorityMatrix} row of every change
 *     type, plus the Technical Lead. {@link ApprovalPath#EMERGENCY emergency}: any senior engineer, and
 *     the security team is notified when the run is granted. Either way, more than 1,000 affected
 *     users (configurable) also needs an Executive. A plan with no classification is refused.</li>
 * <li>An approval counts only if it is for this plan, as it is (its {@link RollbackPlan#digest() digest}:
 *     the same steps, dependencies, flags and targets), was given no later than the decision and
 *     less than the approval validity before it, and its person holds its role in the
 *     {@link IdentityDirectory}. One person fills at most one role, whatever roles they hold.</li>
 * <li>Customer data impact is stated in the authorization: the runbook escalates such incidents
 *     immediately ({@link dev.rollback.core.incident.Incident#escalateImmediately}).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}. {@link #authorize} never blocks: it
 * reads the identity directory and, on an emergency grant, hands the security notice to the
 * {@link NotificationDispatcher}, which delivers it off the caller's thread. It never logs approvers'
 * reasons.
 */
public final class RunbookApprovalPolicy implements ApprovalPolicy {
    /** The name authorizations carry. */
    public static final String NAME = "runbook-manual-authorization";
    /** The stakeholder id of the security team's notice of an emergency authorization. */
    public static final String SECURITY_TEAM = "security-team";

    private final IdentityDirectory directory;
    private final AuthorityMatrix matrix;
    private final Map<String, RollbackClassification> classifications;
    private final Duration approvalValidity;
    private final long executiveThreshold;
    private final Optional<NotificationDispatcher> dispatcher;
    private final List<String> securityTeam;

    private RunbookApprovalPolicy(Builder b) {
        this.directory = b.directory;
        this.matrix = b.matrix;
        this.classifications = Collections.unmodifiableMap(new LinkedHashMap<>(b.classifications));
        this.approvalValidity = b.approvalValidity;
        this.executiveThreshold = b.executiveThreshold;
        this.dispatcher = b.dispatcher;
        this.securityTeam = b.contacts
                .map(c -> c.recipients(EscalationRole.SECURITY_OFFICER))
                .orElse(List.of());
    }

    /** A builder: the runbook's matrix, approvals valid 1 hour, Executive above 1,000 users; directory required. */
    public static Builder custom() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The classification declared for {@code planName}, if any. */
    public Optional<RollbackClassification> classification(String planName) {
        return Optional.ofNullable(classifications.get(Objects.requireNonNull(planName, "planName")));
    }

    /**
     * The roles a run with {@code classification} needs, in order: the path's roles, then an
     * Executive when more users than the threshold are affected.
     */
    public List<String> requiredRoles(RollbackClassification classification) {
        Objects.requireNonNull(classification, "classification");
        Set<String> roles = new LinkedHashSet<>();
        if (classification.path() == ApprovalPath.EMERGENCY) {
            roles.add(RunbookRole.SENIOR_ENGINEER.id());
        } else {
            classification
                    .changeTypes()
                    .forEach(type -> roles.addAll(matrix.rolesFor(type)
                            .orElseThrow(() -> new IllegalArgumentException("matrix has no row for " + type))));
            roles.add(RunbookRole.TECHNICAL_LEAD.id());
        }
        if (classification.affectedUsers() > executiveThreshold) {
            roles.add(RunbookRole.EXECUTIVE.id());
        }
        return List.copyOf(roles);
    }

    @Override
    public Authorization authorize(RollbackPlan plan, Initiator initiator, List<Approval> approvals, Instant now) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(approvals, "approvals");
        Objects.requireNonNull(now, "now");
        if (initiator.kind() == Initiator.Kind.AUTOMATIC) {
            Decision d = initiator.decision().orElseThrow();
            return Authorization.preAuthorized(
                    NAME,
                    "pre-authorized by policy: automatic trigger rule '" + d.rule() + "' decided " + d.severity() + " ("
                            + d.description() + ")",
                    now);
        }
        RollbackClassification classification = classifications.get(plan.name());
        if (classification == null) {
            return new Authorization(
                    false,
                    false,
                    NAME,
                    List.of(),
                    List.of(),
                    "no rollback classification is declared for plan '" + plan.name()
                            + "'; a manual run of an unclassified plan is refused",
                    now);
        }
        List<String> required = requiredRoles(classification);
        List<Approval> usable = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Approval approval : approvals) {
            Optional<String> refusal = refusal(Objects.requireNonNull(approval, "approvals[]"), plan, now);
            if (refusal.isPresent()) {
                refused.add(approval.person() + " as " + approval.role() + " (" + refusal.get() + ")");
            } else {
                usable.add(approval);
            }
        }
        Map<String, Approval> filled = RoleMatching.match(required, usable);
        List<String> missing =
                required.stream().filter(r -> !filled.containsKey(r)).toList();
        boolean granted = missing.isEmpty();
        StringBuilder explanation = new StringBuilder()
                .append(initiator.kind().name().toLowerCase(Locale.ROOT))
                .append(" run by ")
                .append(initiator.principal())
                .append(", ")
                .append(describe(classification))
                .append(": requires ")
                .append(String.join(", ", required));
        explanation.append(
                filled.isEmpty()
                        ? "; no approval counted"
                        : "; counted "
                                + filled.values().stream()
                                        .map(a -> a.person() + " as " + a.role())
                                        .collect(Collectors.joining(", ")));
        if (!refused.isEmpty()) {
            explanation.append("; not counted: ").append(String.join(", ", refused));
        }
        if (classification.customerDataImpact()) {
            explanation.append("; customer data impact: escalate the incident immediately");
        }
        if (granted && classification.path() == ApprovalPath.EMERGENCY) {
            explanation.append("; security team notified of the emergency authorization");
            notifySecurityTeam(plan, initiator, filled.values(), now);
        }
        return new Authorization(
                granted,
                false,
                NAME,
                List.copyOf(filled.values()),
                missing,
                Redaction.redact(explanation.toString()),
                now);
    }

    private Optional<String> refusal(Approval approval, RollbackPlan plan, Instant now) {
        if (!approval.planName().equals(plan.name())) {
            return Optional.of("given for plan '" + approval.planName() + "'");
        }
        if (!approval.planDigest().equals(plan.digest())) {
            return Optional.of("given for another version of plan '" + plan.name() + "' (digest "
                    + approval.planDigest() + "; this plan's is " + plan.digest() + ")");
        }
        if (approval.givenAt().isAfter(now)) {
            return Optional.of("given at " + approval.givenAt() + ", after the decision");
        }
        Instant expiry = approval.givenAt().plus(approvalValidity);
        if (!now.isBefore(expiry)) {
            return Optional.of("expired at " + expiry);
        }
        if (!directory.holds(approval.person(), approval.role())) {
            return Optional.of("does not hold role '" + approval.role() + "' in the identity directory");
        }
        return Optional.empty();
    }

    private String describe(RollbackClassification c) {
        return (c.path() == ApprovalPath.EMERGENCY ? "emergency" : "planned") + " rollback of "
                + c.changeTypes().stream().map(ChangeType::description).collect(Collectors.joining(", "))
                + " affecting " + c.affectedUsers() + " users"
                + (c.affectedUsers() > executiveThreshold
                        ? " (more than " + executiveThreshold + ": Executive required)"
                        : "");
    }

    private void notifySecurityTeam(
            RollbackPlan plan, Initiator initiator, Collection<Approval> approvedBy, Instant now) {
        Optional<Decision> decision = initiator.decision();
        String who = approvedBy.stream().map(Approval::person).collect(Collectors.joining(", "));
        Notification notice = new Notification(
                "emergency:" + plan.name(),
                SECURITY_TEAM,
                securityTeam,
                decision.map(Decision::severity).orElse(Severity.SEV0),
                "Emergency rollback authorized: plan " + plan.name(),
                Redaction.redact("Emergency rollback of plan " + plan.name() + " authorized at " + now + " by " + who
                        + " for " + initiator.principal()
                        + decision.map(d -> " after trigger rule '" + d.rule() + "'")
                                .orElse("")
                        + ". The runbook requires the security team to be notified of every emergency authorization."),
                decision.map(Decision::breachBegan).orElse(now),
                now);
        dispatcher.orElseThrow().dispatch(notice);
    }

    @Override
    public String toString() {
        return "RunbookApprovalPolicy[" + classifications.keySet() + ", validity=" + approvalValidity + "]";
    }

    /** Builds a {@link RunbookApprovalPolicy}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private IdentityDirectory directory;
        private AuthorityMatrix matrix = AuthorityMatrix.runbook();
        private final Map<String, RollbackClassification> classifications = new LinkedHashMap<>();
        private Duration approvalValidity = Duration.ofHours(1);
        private long executiveThreshold = 1000;
        private Optional<NotificationDispatcher> dispatcher = Optional.empty();
        private Optional<EscalationContacts> contacts = Optional.empty();

        private Builder() {}

        /** Who holds which roles. Required. */
        public Builder directory(IdentityDirectory directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Which roles each change type needs. Default {@link AuthorityMatrix#runbook()}. */
        public Builder matrix(AuthorityMatrix matrix) {
            this.matrix = Objects.requireNonNull(matrix, "matrix");
            return this;
        }

        /** Declares what a plan's rollback is (replacing any earlier declaration for that plan name). */
        public Builder classification(String planName, RollbackClassification classification) {
            classifications.put(
                    Arguments.requireText(planName, "planName"),
                    Objects.requireNonNull(classification, "classification"));
            return this;
        }

        /** How long an approval counts after it was given; positive. Default 1 hour. */
        public Builder approvalValidity(Duration approvalValidity) {
            this.approvalValidity = Arguments.requirePositive(approvalValidity, "approvalValidity");
            return this;
        }

        /** Above how many affected users an Executive must also approve; zero or more. Default 1,000. */
        public Builder executiveThreshold(long affectedUsers) {
            this.executiveThreshold = Arguments.requireNotNegative(affectedUsers, "executiveThreshold");
            return this;
        }

        /**
         * Where the security team's notice of an emergency authorization goes: dispatched through
         * {@code dispatcher} to the {@link EscalationRole#SECURITY_OFFICER} contacts. Required when a
         * plan is classified as an emergency.
         */
        public Builder securityTeamNotice(NotificationDispatcher dispatcher, EscalationContacts contacts) {
            this.dispatcher = Optional.of(Objects.requireNonNull(dispatcher, "dispatcher"));
            this.contacts = Optional.of(Objects.requireNonNull(contacts, "contacts"));
            return this;
        }

        /**
         * Builds the policy. Checks that a directory is set, that the matrix has a row for every
         * change type of a planned classification, and that an emergency classification has a
         * security team to notify.
         */
        public RunbookApprovalPolicy build() {
            if (directory == null) {
                throw new IllegalArgumentException("directory is required, but was not set");
            }
            classifications.forEach((plan, c) -> {
                if (c.path() == ApprovalPath.PLANNED) {
                    c.changeTypes().stream()
                            .filter(t -> matrix.rolesFor(t).isEmpty())
                            .findFirst()
                            .ifPresent(t -> {
                                throw new IllegalArgumentException(
                                        "matrix has no row for " + t + ", which plan '" + plan + "' declares");
                            });
                } else if (contacts.map(x -> x.recipients(EscalationRole.SECURITY_OFFICER))
                        .orElse(List.of())
                        .isEmpty()) {
                    throw new IllegalArgumentException(
                            "plan '" + plan + "' is classified as an emergency, which notifies the"
                                    + " security team: securityTeamNotice must be set with a security-officer contact");
                }
            });
            return new RunbookApprovalPolicy(this);
        }
    }
}
