package dev.rollback.core.response;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.governance.ApprovalRequiredException;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.approval.ApprovalPath;
import dev.rollback.core.approval.ChangeType;
import dev.rollback.core.approval.InMemoryIdentityDirectory;
import dev.rollback.core.approval.RollbackClassification;
import dev.rollback.core.approval.RunbookApprovalPolicy;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.escalation.EscalationContacts;
import dev.rollback.core.escalation.EscalationRole;
import dev.rollback.core.escalation.EscalationScheduler;
import dev.rollback.core.incident.Fixtures;
import dev.rollback.core.incident.Fixtures.RecordingNotifier;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.InProcessRunLock;
import dev.rollback.core.notification.NotificationDispatcher;
import dev.rollback.core.notification.StakeholderGroup;
import dev.rollback.core.notification.StakeholderNotices;
import dev.rollback.core.response.PostRollbackVerification.Check;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.HeightenedMonitoring;
import dev.rollback.core.trigger.TriggerEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incident response end to end on a manual clock: three nodes, each with its own trigger engine,
 * executor and response, sharing a journal and a lock store, as a fleet shares its database.
 */
class IncidentResponseTest {
    private static final Instant T0 = Instant.parse("2026-11-30T09:00:00Z");
    private static final RecoveryObjectives FIVE_MINUTES = RecoveryObjectives.stateless(Duration.ofMinutes(5));

    @TempDir
    Path journalDir;

    private final ManualClock clock = ManualClock.startingAt(T0);
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final NotificationDispatcher dispatcher = Fixtures.directDispatcher(notifier, clock);
    private final InProcessRunLock lockStore = new InProcessRunLock();
    private final AtomicInteger swaps = new AtomicInteger();
    private final AtomicBoolean appHealthy = new AtomicBoolean(true);
    private final List<Node> nodes = new ArrayList<>();

    private final class Node implements AutoCloseable {
        final TriggerEngine engine = TriggerEngine.builder()
                .matrix(DecisionMatrix.ofDefaults())
                .clock(clock)
                .build();
        final RollbackExecutor executor;
        final IncidentResponse response;

        Node(RunbookApprovalPolicy approvals) {
            RollbackExecutor.Builder b = RollbackExecutor.builder()
                    .clock(clock)
                    .journal(FileJournal.of(journalDir))
                    .runLock(lockStore)
                    .lockWait(Duration.ZERO);
            if (approvals != null) {
                b.approvalPolicy(approvals);
            }
            executor = b.build();
            response = IncidentResponse.custom()
                    .catalog(catalog())
                    .executor(executor)
                    .triggers(engine)
                    .incidentLock(lockStore)
                    .dispatcher(dispatcher)
                    .escalation(EscalationScheduler.custom()
                            .contacts(EscalationContacts.custom()
                                    .addContact(EscalationRole.ON_CALL_ENGINEER, "oncall@example.test")
                                    .addContact(EscalationRole.ENGINEERING_MANAGER, "eng-mgr@example.test")
                                    .build())
                            .dispatcher(dispatcher)
                            .clock(clock)
                            .build())
                    .notices(StakeholderNotices.custom()
                            .addContact(StakeholderGroup.TECHNICAL_TEAM, "#incidents")
                            .addContact(StakeholderGroup.MANAGEMENT, "management@example.test")
                            .addContact(StakeholderGroup.CUSTOMERS, "status-page")
                            .addContact(StakeholderGroup.REGULATORS, "regulator-desk@example.test")
                            .dispatcher(dispatcher)
                            .clock(clock)
                            .build())
                    .verification(PostRollbackVerification.custom()
                            .add(Check.HEALTH, health())
                            .add(
                                    Check.DATA_INTEGRITY,
                                    Verifier.of(
                                            "client-count",
                                            ctx -> Verification.passed(
                                                    "client-count", "clients are all there", "3 clients")))
                            .settleFor(Duration.ofMinutes(2))
                            .timeout(Duration.ofMinutes(20))
                            .build())
                    .heightenedMonitoring(HeightenedMonitoring.custom()
                            .duration(Duration.ofHours(1))
                            .tighten(DecisionMatrix.ERROR_RATE, 0.005)
                            .build())
                    .baselineResponseTime(Duration.ofMillis(50))
                    .build();
        }

        @Override
        public void close() {
            response.close();
            executor.close();
            engine.close();
        }
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(Node::close);
    }

    private Node node() {
        Node n = new Node(null);
        nodes.add(n);
        return n;
    }

    private Verifier health() {
        return Verifier.of(
                "api-health",
                ctx -> appHealthy.get()
                        ? Verification.passed("api-health", "GET /api/health returns 200", "200")
                        : Verification.failed("api-health", "GET /api/health returns 200", "503"));
    }

    private RollbackPlan plan(String name, Runnable effect) {
        return RollbackPlan.builder(name, FIVE_MINUTES)
                .carriesOut(
                        DecisionMatrix.APPLICATION_ROLLBACK,
                        DecisionMatrix.DATABASE_FAILOVER,
                        DecisionMatrix.POINT_IN_TIME_RECOVERY,
                        DecisionMatrix.FULL_SYSTEM_LOCKDOWN)
                .step(RollbackStep.builder("act", "app")
                        .action(ctx -> effect.run())
                        .build())
                .build();
    }

    private PlanCatalog catalog() {
        return PlanCatalog.forMatrix(DecisionMatrix.ofDefaults())
                .map(DecisionMatrix.APPLICATION_ROLLBACK, plan("app-service-rollback", swaps::incrementAndGet))
                .map(DecisionMatrix.DATABASE_FAILOVER, plan("database-failover", () -> {}))
                .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, plan("point-in-time-recovery", () -> {}))
                .map(DecisionMatrix.FULL_SYSTEM_LOCKDOWN, plan("full-system-lockdown", () -> {}))
                .build();
    }

    /** Each second for {@code duration}: every node's engine records the same traffic, then all evaluate and tick. */
    private void traffic(Duration duration, int requests, int failures) {
        for (long s = 0; s < duration.toSeconds(); s++) {
            for (Node n : nodes) {
                for (int i = 0; i < requests; i++) {
                    n.engine.recordRequest(20, TimeUnit.MILLISECONDS, i >= failures);
                }
            }
            clock.advance(Duration.ofSeconds(1));
            for (Node n : nodes) {
                n.engine.evaluate();
            }
            tickAll();
        }
    }

    private void tickAll() {
        for (Node n : nodes) {
            n.response.tick();
            // Runs go on the executors' threads: let each finish before the next tick reads it.
            for (IncidentHandle h : n.response.incidents()) {
                h.run().ifPresent(r -> {
                    try {
                        r.await(Duration.ofSeconds(10));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }
    }

    @Test
    void anErrorBurstSeenByThreeNodesRunsThePlanOnceAndIsVerifiedRecovered() throws Exception {
        Node a = node();
        Node b = node();
        Node c = node();

        traffic(Duration.ofMinutes(2), 10, 0);
        traffic(Duration.ofMinutes(6), 10, 2); // 20% errors, past the 1% rule's 5 minutes
        List<IncidentHandle> handles =
                nodes.stream().flatMap(n -> n.response.incidents().stream()).toList();
        assertThat(handles).hasSize(3);
        IncidentHandle handled = handles.stream()
                .filter(h -> h.incident().isPresent())
                .findFirst()
                .orElseThrow();
        assertThat(handles)
                .filteredOn(h -> h.incident().isEmpty())
                .hasSize(2)
                .allSatisfy(h -> assertThat(h.state()).isEqualTo(IncidentState.STANDBY));
        assertThat(handled.state()).as("the errors go on").isEqualTo(IncidentState.VERIFYING);
        assertThat(handled.incident().orElseThrow().severity()).isEqualTo(Severity.SEV1);
        assertThat(swaps).as("one plan run although three engines decided").hasValue(1);

        traffic(Duration.ofMinutes(3), 10, 0);
        assertThat(handled.state())
                .as("healthy, but not yet for the 2 minute settle time after the rule cleared its hold")
                .isEqualTo(IncidentState.VERIFYING);
        traffic(Duration.ofMinutes(2), 10, 0);

        assertThat(handled.state()).isEqualTo(IncidentState.RECOVERED);
        IncidentReport report = handled.report().get(1, TimeUnit.SECONDS);
        assertThat(report.recovered()).isTrue();
        assertThat(report.run().orElseThrow().outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.checks()).extracting(Verification::name).containsExactly("api-health", "client-count");
        assertThat(report.systemRecovery().dataIntegrityStatus()).isEqualTo(TargetStatus.MET);
        assertThat(report.systemRecovery().performanceStatus()).isEqualTo(TargetStatus.MET);
        assertThat(report.systemRecovery().availability().orElseThrow())
                .as("20% errors for part of the incident")
                .isLessThan(0.99)
                .isGreaterThan(0.5);
        assertThat(report.systemRecovery().availabilityStatus(SystemRecovery.AVAILABILITY_LIMIT))
                .isEqualTo(TargetStatus.MISSED);
        assertThat(report.heightenedMonitoringUntil()).isPresent();

        // Paged: the immediate tier at once; resolved before 15 minutes, so management was never paged.
        assertThat(notifier.sent())
                .extracting(Notification::stakeholder)
                .filteredOn(s -> s.startsWith("paging:"))
                .containsExactly("paging:immediate-response");
        // Informed: SEV1 reaches the technical team, management and customers at once, and they hear it is resolved.
        List<NotificationLatency> latencies =
                report.run().orElseThrow().metrics().notifications();
        assertThat(latencies)
                .extracting(NotificationLatency::stakeholder)
                .containsExactly("technical-team", "management", "customers");
        assertThat(latencies).allSatisfy(l -> {
            assertThat(l.limitStatus()).isEqualTo(TargetStatus.MET);
            assertThat(l.targetStatus()).isEqualTo(TargetStatus.MET);
        });
        assertThat(notifier.sent())
                .filteredOn(n -> n.subject().contains("resolved"))
                .extracting(Notification::stakeholder)
                .containsExactly("technical-team", "management", "customers");
        assertThat(report.run().orElseThrow().metrics().totalRecovery()).isPresent();

        // The other nodes take the free lock, see the run finished and their rule cleared: nothing runs.
        tickAll();
        assertThat(handles)
                .filteredOn(h -> h.incident().isEmpty())
                .allSatisfy(h -> assertThat(h.state()).isEqualTo(IncidentState.HANDLED_ELSEWHERE));
        assertThat(swaps).hasValue(1);

        // Heightened monitoring on the handling node's engine, until it expires.
        Node handler = nodes.stream()
                .filter(n -> n.response.incidents().contains(handled))
                .findFirst()
                .orElseThrow();
        assertThat(handler.engine.heightenedThreshold(DecisionMatrix.ERROR_RATE))
                .hasValue(0.005);
        clock.advance(Duration.ofHours(1));
        assertThat(handler.engine.heightenedThreshold(DecisionMatrix.ERROR_RATE))
                .isEmpty();
    }

    @Test
    void recoveryIsNotDeclaredWhileAHealthCheckFailsAndTheIncidentStaysOpenAfterTheTimeout() throws Exception {
        node();
        appHealthy.set(false);
        traffic(Duration.ofMinutes(6), 10, 2);
        traffic(Duration.ofMinutes(21), 10, 0);

        IncidentHandle h = nodes.get(0).response.incidents().get(0);
        assertThat(h.state()).isEqualTo(IncidentState.NOT_RECOVERED);
        IncidentReport report = h.report().get(1, TimeUnit.SECONDS);
        assertThat(report.recovered()).isFalse();
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("failed checks [api-health]"));
        assertThat(h.incident().orElseThrow().isResolved()).isFalse();
        assertThat(report.heightenedMonitoringUntil()).isEmpty();
        assertThat(notifier.sent()).noneSatisfy(n -> assertThat(n.subject()).contains("resolved"));
        assertThat(notifier.sent())
                .extracting(Notification::stakeholder)
                .as("still open at 15 minutes: management is paged")
                .contains("paging:management-escalation");
    }

    @Test
    void aFailedRunKeepsTheIncidentLockSoNoOtherNodeRunsItAgainUntilAPersonResolves() throws Exception {
        Node a = new Node(null);
        nodes.add(a);
        IncidentResponse failing = IncidentResponse.custom()
                .catalog(PlanCatalog.forMatrix(DecisionMatrix.ofDefaults())
                        .map(DecisionMatrix.APPLICATION_ROLLBACK, plan("app-service-rollback", () -> {
                            swaps.incrementAndGet();
                            throw new IllegalStateException("slot swap refused");
                        }))
                        .map(DecisionMatrix.DATABASE_FAILOVER, plan("database-failover", () -> {}))
                        .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, plan("point-in-time-recovery", () -> {}))
                        .map(DecisionMatrix.FULL_SYSTEM_LOCKDOWN, plan("full-system-lockdown", () -> {}))
                        .build())
                .executor(a.executor)
                .incidentLock(lockStore)
                .verification(PostRollbackVerification.custom()
                        .watchRules()
                        .settleFor(Duration.ZERO)
                        .build())
                .build();
        Node b = node();
        Decision decision = Fixtures.decision(Severity.SEV1, T0.minusSeconds(300), T0);

        IncidentHandle first = failing.handle(decision);
        first.run().orElseThrow().await();
        failing.tick();
        assertThat(first.state()).isEqualTo(IncidentState.NOT_RECOVERED);

        IncidentHandle second = b.response.handle(decision);
        b.response.tick();
        assertThat(second.state())
                .as("the failed incident still holds its lock")
                .isEqualTo(IncidentState.STANDBY);
        assertThat(swaps).hasValue(1);

        failing.resolve(first.incident().orElseThrow().id(), "dana", "rolled back by hand");
        assertThat(first.incident().orElseThrow().isResolved()).isTrue();
        b.response.tick();
        assertThat(second.state())
                .as("the incident answered b's breach and was resolved: nothing runs")
                .isEqualTo(IncidentState.HANDLED_ELSEWHERE);
        assertThat(swaps).hasValue(1);
    }

    @Test
    void aManualReviewDecisionRunsNothingWithoutTheApprovalsTheMatrixRequires() throws Exception {
        RunbookApprovalPolicy approvals = RunbookApprovalPolicy.custom()
                .directory(InMemoryIdentityDirectory.custom()
                        .addPerson("sam", "senior-engineer")
                        .addPerson("tom", "technical-lead")
                        .build())
                .classification(
                        "app-service-rollback",
                        RollbackClassification.custom()
                                .addChangeType(ChangeType.APPLICATION_CODE)
                                .affectedUsers(200)
                                .path(ApprovalPath.PLANNED)
                                .build())
                .build();
        Node n = new Node(approvals);
        nodes.add(n);
        traffic(Duration.ofMinutes(16), 1000, 7); // 0.7%: the warning band, sustained 15 minutes

        IncidentHandle review = n.response.incidents().stream()
                .filter(h -> h.key().equals("review:" + DecisionMatrix.ERROR_RATE_WARNING))
                .findFirst()
                .orElseThrow();
        assertThat(review.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
        assertThat(review.run()).isEmpty();
        assertThat(swaps).hasValue(0);
        String id = review.incident().orElseThrow().id();

        assertThatThrownBy(() -> n.response.approve(
                        id,
                        DecisionMatrix.APPLICATION_ROLLBACK,
                        RunRequest.manual("sam", approval("sam", "senior-engineer"))))
                .isInstanceOf(ApprovalRequiredException.class);
        assertThat(review.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
        assertThat(swaps).hasValue(0);

        n.response.approve(
                id,
                DecisionMatrix.APPLICATION_ROLLBACK,
                RunRequest.manual("sam", approval("sam", "senior-engineer"), approval("tom", "technical-lead")));
        review.run().orElseThrow().await();
        assertThat(swaps).hasValue(1);
        assertThat(review.run().orElseThrow().await().authorization().preAuthorized())
                .isFalse();
    }

    @Test
    void aMoreSevereDecisionRaisesTheOpenIncident() throws Exception {
        Node n = node();
        Decision sev1 = Fixtures.decision(Severity.SEV1, T0.minusSeconds(300), T0);
        IncidentHandle h = n.response.handle(sev1);
        Decision sev0 = new Decision(
                sev1.action(),
                sev1.kind(),
                Severity.SEV0,
                "error-rate",
                0.5,
                0.01,
                "ratio",
                "error rate 50%",
                T0.minusSeconds(300),
                T0.plusSeconds(60));

        assertThat(n.response.handle(sev0)).isSameAs(h);
        assertThat(h.incident().orElseThrow().severity()).isEqualTo(Severity.SEV0);
        assertThat(h.incident().orElseThrow().severityChanges())
                .singleElement()
                .satisfies(c -> assertThat(c.by()).isEqualTo("rule error-rate"));
        h.run().orElseThrow().await();
        assertThat(swaps).as("the second decision joined the incident: one run").hasValue(1);
    }

    @Test
    void aResponseIsRefusedWhenItsVerificationWatchesARuleTheEngineDoesNotHave() {
        Node n = node();
        assertThatThrownBy(() -> IncidentResponse.custom()
                        .catalog(catalog())
                        .executor(n.executor)
                        .triggers(n.engine)
                        .verification(PostRollbackVerification.custom()
                                .watchRules("error-rates")
                                .build())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'error-rates'");
    }

    private Approval approval(String person, String role) {
        return Approval.of(
                person,
                role,
                catalog().plan(DecisionMatrix.APPLICATION_ROLLBACK).orElseThrow(),
                clock.instant(),
                "checkout errors");
    }
}
