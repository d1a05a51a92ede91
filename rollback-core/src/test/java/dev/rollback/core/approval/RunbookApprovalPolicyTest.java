package dev.rollback.core.approval;

import static dev.rollback.core.incident.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.governance.ApprovalRequiredException;
import dev.rollback.api.governance.Authorization;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.escalation.EscalationContacts;
import dev.rollback.core.escalation.EscalationRole;
import dev.rollback.core.incident.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RunbookApprovalPolicyTest {

    private static final RollbackPlan PLAN = Fixtures.plan("app-rollback");
    private static final Instant NOW = T0.plus(Duration.ofMinutes(10));

    /** Everyone holds exactly the role their name says. */
    private static final InMemoryIdentityDirectory DIRECTORY = directoryOfOneRoleEach();

    private static InMemoryIdentityDirectory directoryOfOneRoleEach() {
        InMemoryIdentityDirectory.Builder b = InMemoryIdentityDirectory.custom();
        for (RunbookRole role : RunbookRole.values()) {
            b.addPerson("the-" + role.id(), role);
        }
        return b.addPerson("alice", RunbookRole.SENIOR_ENGINEER, RunbookRole.TECHNICAL_LEAD)
                .build();
    }

    private static RollbackClassification planned(ChangeType type, long users) {
        return RollbackClassification.custom()
                .addChangeType(type)
                .affectedUsers(users)
                .build();
    }

    private static RunbookApprovalPolicy policyFor(RollbackClassification classification) {
        return RunbookApprovalPolicy.custom()
                .directory(DIRECTORY)
                .classification(PLAN.name(), classification)
                .build();
    }

    private static Approval approval(String person, String role) {
        return Approval.of(person, role, PLAN, T0, "checked the release diff");
    }

    private static List<Approval> byHolders(List<String> roles) {
        return roles.stream().map(r -> approval("the-" + r, r)).toList();
    }

    private static Authorization authorize(RunbookApprovalPolicy policy, List<Approval> approvals) {
        return policy.authorize(PLAN, Initiator.manual("oncall"), approvals, NOW);
    }

    /** The runbook's two matrices, written out here independently of AuthorityMatrix.runbook(). */
    static Stream<Arguments> runbookMatrixRows() {
        return Stream.of(
                Arguments.of(ChangeType.APPLICATION_CODE, List.of("senior-engineer", "technical-lead")),
                Arguments.of(ChangeType.DATABASE_CHANGES, List.of("dba", "technical-lead", "security")),
                Arguments.of(ChangeType.INFRASTRUCTURE, List.of("devops-lead", "technical-lead")),
                Arguments.of(ChangeType.SECURITY_CONFIGS, List.of("security-officer", "technical-lead")),
                Arguments.of(ChangeType.INTEGRATION_CHANGES, List.of("integration-lead", "technical-lead")),
                Arguments.of(ChangeType.FEATURE_ROLLBACK, List.of("product-owner", "engineering-manager")),
                Arguments.of(ChangeType.USER_FACING_CHANGES, List.of("ux-lead", "product-owner")),
                Arguments.of(ChangeType.SERVICE_DISRUPTION, List.of("customer-success", "executive")),
                Arguments.of(ChangeType.COMPLIANCE_ISSUES, List.of("compliance-officer", "legal")),
                Arguments.of(ChangeType.FINANCIAL_IMPACT, List.of("cfo", "executive-sponsor")));
    }

    @ParameterizedTest(name = "{0} needs {1} plus the technical lead")
    @MethodSource("runbookMatrixRows")
    void grantsAPlannedRollbackWhenEveryRoleOfItsMatrixRowAndTheTechnicalLeadApproved(
            ChangeType type, List<String> row) {
        List<String> expected = new ArrayList<>(row);
        if (!expected.contains("technical-lead")) {
            expected.add("technical-lead");
        }
        RunbookApprovalPolicy policy = policyFor(planned(type, 10));

        Authorization granted = authorize(policy, byHolders(expected));

        assertThat(policy.requiredRoles(planned(type, 10))).containsExactlyElementsOf(expected);
        assertThat(granted.granted()).as(granted.explanation()).isTrue();
        assertThat(granted.preAuthorized()).isFalse();
        assertThat(granted.approvals()).extracting(Approval::role).containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest(name = "{0} is refused without {1}")
    @MethodSource("runbookMatrixRows")
    void refusesAPlannedRollbackMissingAnyRoleOfItsRowAndNamesIt(ChangeType type, List<String> row) {
        RunbookApprovalPolicy policy = policyFor(planned(type, 10));
        for (String absent : row) {
            List<String> others = new ArrayList<>(policy.requiredRoles(planned(type, 10)));
            others.remove(absent);

            Authorization refused = authorize(policy, byHolders(others));

            assertThat(refused.granted()).isFalse();
            assertThat(refused.missingRoles()).containsExactly(absent);
        }
    }

    @Test
    void aPlannedBusinessRollbackAlsoNeedsTheTechnicalLead() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.FEATURE_ROLLBACK, 10));

        Authorization refused = authorize(policy, byHolders(List.of("product-owner", "engineering-manager")));

        assertThat(refused.granted()).isFalse();
        assertThat(refused.missingRoles()).containsExactly("technical-lead");
    }

    @Test
    void rowsOfSeveralChangeTypesAddUpWithEachRoleOnce() {
        RollbackClassification both = RollbackClassification.custom()
                .addChangeType(ChangeType.DATABASE_CHANGES)
                .addChangeType(ChangeType.APPLICATION_CODE)
                .affectedUsers(10)
                .build();

        assertThat(policyFor(both).requiredRoles(both))
                .containsExactly("senior-engineer", "technical-lead", "dba", "security");
    }

    @Test
    void onePersonHoldingTwoRolesCountsOnce() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));

        Authorization refused =
                authorize(policy, List.of(approval("alice", "senior-engineer"), approval("alice", "technical-lead")));

        assertThat(refused.granted()).isFalse();
        assertThat(refused.missingRoles()).hasSize(1);
        assertThat(refused.approvals()).extracting(Approval::person).containsExactly("alice");
    }

    @Test
    void aPersonHoldingTwoRolesFillsTheOneNobodyElseCan() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));

        // alice approved in both roles, and the technical lead in theirs: alice must be the senior engineer.
        Authorization granted = authorize(
                policy,
                List.of(
                        approval("alice", "technical-lead"),
                        approval("alice", "senior-engineer"),
                        approval("the-technical-lead", "technical-lead")));

        assertThat(granted.granted()).as(granted.explanation()).isTrue();
        assertThat(granted.approvals())
                .extracting(a -> a.person() + "=" + a.role())
                .containsExactlyInAnyOrder("alice=senior-engineer", "the-technical-lead=technical-lead");
    }

    @Test
    void anApprovalCountsUntilItsValidityEndsAndNotAtThatMoment() {
        RunbookApprovalPolicy policy = RunbookApprovalPolicy.custom()
                .directory(DIRECTORY)
                .classification(PLAN.name(), planned(ChangeType.APPLICATION_CODE, 10))
                .approvalValidity(Duration.ofMinutes(30))
                .build();
        List<Approval> approvals = byHolders(List.of("senior-engineer", "technical-lead"));

        Authorization justInTime = policy.authorize(
                PLAN,
                Initiator.manual("oncall"),
                approvals,
                T0.plus(Duration.ofMinutes(30)).minusNanos(1));
        Authorization expired =
                policy.authorize(PLAN, Initiator.manual("oncall"), approvals, T0.plus(Duration.ofMinutes(30)));

        assertThat(justInTime.granted()).isTrue();
        assertThat(expired.granted()).isFalse();
        assertThat(expired.missingRoles()).containsExactly("senior-engineer", "technical-lead");
        assertThat(expired.explanation()).contains("expired at " + T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void anApprovalGivenAfterTheDecisionDoesNotCount() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));
        Approval later = Approval.of("the-senior-engineer", "senior-engineer", PLAN, NOW.plusSeconds(1), "later");

        Authorization refused = authorize(policy, List.of(later, approval("the-technical-lead", "technical-lead")));

        assertThat(refused.missingRoles()).containsExactly("senior-engineer");
        assertThat(refused.explanation()).contains("after the decision");
    }

    @Test
    void anApprovalForAnotherPlanIsRefused() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));
        Approval forOther = new Approval("the-technical-lead", "technical-lead", "db-restore", PLAN.digest(), T0, "ok");

        Authorization refused =
                authorize(policy, List.of(approval("the-senior-engineer", "senior-engineer"), forOther));

        assertThat(refused.granted()).isFalse();
        assertThat(refused.missingRoles()).containsExactly("technical-lead");
        assertThat(refused.explanation())
                .contains("the-technical-lead as technical-lead (given for plan 'db-restore')");
    }

    @Test
    void anApprovalForAnotherVersionOfThePlanOfTheSameNameIsRefusedNamingBothDigests() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));
        RollbackPlan other = RollbackPlan.builder(PLAN.name(), PLAN.objectives())
                .step(RollbackStep.builder("swap", "app").actsOn("another-slot").build())
                .build();
        assertThat(other.digest()).isNotEqualTo(PLAN.digest());
        Approval forOtherVersion = Approval.of("the-technical-lead", "technical-lead", other, T0, "ok");

        Authorization refused =
                authorize(policy, List.of(approval("the-senior-engineer", "senior-engineer"), forOtherVersion));

        assertThat(refused.granted()).isFalse();
        assertThat(refused.missingRoles()).containsExactly("technical-lead");
        assertThat(refused.explanation())
                .contains("given for another version of plan '" + PLAN.name() + "'")
                .contains(other.digest())
                .contains(PLAN.digest());
    }

    @Test
    void anApprovalInARoleThePersonDoesNotHoldIsRefused() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));

        Authorization refused = authorize(
                policy,
                List.of(approval("the-senior-engineer", "senior-engineer"), approval("the-dba", "technical-lead")));

        assertThat(refused.granted()).isFalse();
        assertThat(refused.missingRoles()).containsExactly("technical-lead");
        assertThat(refused.explanation()).contains("does not hold role 'technical-lead'");
    }

    @Test
    void theEmergencyPathNeedsOnlyASeniorEngineerAndNotifiesTheSecurityTeam() {
        ManualClock clock = ManualClock.startingAt(NOW);
        Fixtures.RecordingNotifier security = new Fixtures.RecordingNotifier();
        EscalationContacts contacts = EscalationContacts.custom()
                .addContact(EscalationRole.SECURITY_OFFICER, "security@example.test")
                .build();
        RollbackClassification emergency = RollbackClassification.from(planned(ChangeType.DATABASE_CHANGES, 10))
                .path(ApprovalPath.EMERGENCY)
                .build();
        RunbookApprovalPolicy policy = RunbookApprovalPolicy.custom()
                .directory(DIRECTORY)
                .classification(PLAN.name(), emergency)
                .securityTeamNotice(Fixtures.directDispatcher(security, clock), contacts)
                .build();

        Authorization refused = authorize(policy, List.of(approval("the-dba", "dba")));
        assertThat(security.sent()).isEmpty();
        Authorization granted = authorize(policy, List.of(approval("the-senior-engineer", "senior-engineer")));

        assertThat(refused.missingRoles()).containsExactly("senior-engineer");
        assertThat(granted.granted()).as(granted.explanation()).isTrue();
        assertThat(granted.explanation()).contains("security team notified");
        assertThat(security.sent()).singleElement().satisfies(n -> {
            assertThat(n.stakeholder()).isEqualTo("security-team");
            assertThat(n.recipients()).containsExactly("security@example.test");
            assertThat(n.body()).contains("the-senior-engineer").contains(PLAN.name());
        });
    }

    @Test
    void anEmergencyClassificationWithoutASecurityTeamToNotifyIsRejectedAtBuild() {
        RollbackClassification emergency = RollbackClassification.from(planned(ChangeType.APPLICATION_CODE, 10))
                .path(ApprovalPath.EMERGENCY)
                .build();

        assertThatThrownBy(() -> RunbookApprovalPolicy.custom()
                        .directory(DIRECTORY)
                        .classification(PLAN.name(), emergency)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("securityTeamNotice");
    }

    @Test
    void moreThanAThousandAffectedUsersAlsoNeedsAnExecutive() {
        List<Approval> technical = byHolders(List.of("senior-engineer", "technical-lead"));

        Authorization atThousand = authorize(policyFor(planned(ChangeType.APPLICATION_CODE, 1000)), technical);
        Authorization aboveThousand = authorize(policyFor(planned(ChangeType.APPLICATION_CODE, 1001)), technical);
        List<Approval> withExecutive = new ArrayList<>(technical);
        withExecutive.add(approval("the-executive", "executive"));
        Authorization withExec = authorize(policyFor(planned(ChangeType.APPLICATION_CODE, 1001)), withExecutive);

        assertThat(atThousand.granted()).isTrue();
        assertThat(aboveThousand.granted()).isFalse();
        assertThat(aboveThousand.missingRoles()).containsExactly("executive");
        assertThat(withExec.granted()).isTrue();
    }

    @Test
    void theExecutiveRuleAppliesOnTheEmergencyPathToo() {
        RollbackClassification emergency = RollbackClassification.custom()
                .addChangeType(ChangeType.APPLICATION_CODE)
                .affectedUsers(5000)
                .path(ApprovalPath.EMERGENCY)
                .build();

        assertThat(policyFor(planned(ChangeType.APPLICATION_CODE, 1)).requiredRoles(emergency))
                .containsExactly("senior-engineer", "executive");
    }

    @Test
    void anAutomaticTriggerIsPreAuthorizedByPolicyAndTheAuthorizationSaysSo() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));
        Initiator trigger = Initiator.automatic(Fixtures.decision(Severity.SEV1, T0, NOW));

        Authorization pre = policy.authorize(PLAN, trigger, List.of(), NOW);

        assertThat(pre.granted()).isTrue();
        assertThat(pre.preAuthorized()).isTrue();
        assertThat(pre.policy()).isEqualTo(RunbookApprovalPolicy.NAME);
        assertThat(pre.explanation()).contains("pre-authorized by policy").contains("error-rate");
    }

    @Test
    void aDrillNeedsTheSameApprovalsAsAManualRun() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));

        Authorization refused = policy.authorize(PLAN, Initiator.drill("monthly-drill"), List.of(), NOW);

        assertThat(refused.granted()).isFalse();
        assertThat(refused.missingRoles()).containsExactly("senior-engineer", "technical-lead");
    }

    @Test
    void aManualRunOfAnUnclassifiedPlanIsRefusedAndSaysWhy() {
        RunbookApprovalPolicy policy = policyFor(planned(ChangeType.APPLICATION_CODE, 10));

        Authorization refused = policy.authorize(
                Fixtures.plan("unknown-plan"),
                Initiator.manual("oncall"),
                byHolders(List.of("senior-engineer", "technical-lead")),
                NOW);

        assertThat(refused.granted()).isFalse();
        assertThat(refused.explanation()).contains("no rollback classification is declared for plan 'unknown-plan'");
    }

    @Test
    void theRefusalTheExecutorRaisesNamesTheMissingRoles() {
        Authorization refused =
                authorize(policyFor(planned(ChangeType.DATABASE_CHANGES, 10)), List.of(approval("the-dba", "dba")));

        ApprovalRequiredException e = new ApprovalRequiredException(PLAN.name(), refused);

        assertThat(e.missingRoles()).containsExactly("technical-lead", "security");
        assertThat(e.getMessage()).contains("plan 'app-rollback' cannot start").contains("[technical-lead, security]");
    }

    @Test
    void customerDataImpactIsStatedInTheAuthorization() {
        RollbackClassification withData = RollbackClassification.from(planned(ChangeType.APPLICATION_CODE, 10))
                .customerDataImpact(true)
                .build();

        Authorization granted = authorize(policyFor(withData), byHolders(List.of("senior-engineer", "technical-lead")));

        assertThat(granted.explanation()).contains("customer data impact: escalate the incident immediately");
    }

    @Test
    void buildersRejectBadValuesAtOnceNamingTheFieldAndValue() {
        assertThatThrownBy(() -> RunbookApprovalPolicy.custom().approvalValidity(Duration.ofMinutes(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("approvalValidity must be positive, but was PT-1M");
        assertThatThrownBy(() -> RollbackClassification.custom().affectedUsers(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("affectedUsers must not be negative, but was -5");
        assertThatThrownBy(() -> RollbackClassification.custom()
                        .addChangeType(ChangeType.INFRASTRUCTURE)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("affectedUsers must be declared");
        assertThatThrownBy(() -> RunbookApprovalPolicy.custom()
                        .directory(DIRECTORY)
                        .matrix(AuthorityMatrix.custom()
                                .require(ChangeType.APPLICATION_CODE, RunbookRole.TECHNICAL_LEAD)
                                .build())
                        .classification(PLAN.name(), planned(ChangeType.DATABASE_CHANGES, 1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matrix has no row for DATABASE_CHANGES");
    }
}
