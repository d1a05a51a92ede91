package dev.rollback.examples;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.escalation.EscalationContacts;
import dev.rollback.core.escalation.EscalationRole;
import dev.rollback.core.escalation.EscalationScheduler;
import dev.rollback.core.notification.LoggingNotifier;
import dev.rollback.core.notification.NotificationDispatcher;
import dev.rollback.core.notification.StakeholderGroup;
import dev.rollback.core.notification.StakeholderNotices;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.response.PostRollbackVerification.Check;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.HeightenedMonitoring;
import dev.rollback.core.trigger.TriggerEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The README's incident response: the runbook's decision matrix feeds an {@link IncidentResponse}
 * that runs the mapped plan, pages, informs, verifies the recovery and heightens monitoring. The
 * main method replays an error burst on a manual clock (the runbook's rule needs errors above 1% for
 * five minutes) and prints what the response did.
 */
public final class IncidentResponseExample {
    private IncidentResponseExample() {}

    /** Replays an error burst through the wiring below and returns the incident's report. */
    public static IncidentReport run() throws Exception {
        ManualClock clock = ManualClock.startingAt(Instant.parse("2026-11-30T09:00:00Z"));
        AtomicReference<String> live = new AtomicReference<>("v42 (broken)");
        RollbackPlan appRollback =
                plan("app-service-rollback", DecisionMatrix.APPLICATION_ROLLBACK, () -> live.set("v41"));

        // snippet:incident-response
        TriggerEngine engine = TriggerEngine.builder()
                .matrix(DecisionMatrix.ofDefaults())
                .clock(clock)
                .build();
        NotificationDispatcher dispatcher = NotificationDispatcher.custom()
                .addNotifier(new LoggingNotifier())
                .clock(clock)
                .build();
        RollbackExecutor executor = RollbackExecutor.builder().clock(clock).build();

        IncidentResponse response = IncidentResponse.custom()
                .catalog(PlanCatalog.forMatrix(engine.matrix()) // every action a rule can take needs a plan
                        .map(DecisionMatrix.APPLICATION_ROLLBACK, appRollback)
                        .map(DecisionMatrix.DATABASE_FAILOVER, plan("database-failover", () -> {}))
                        .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, plan("point-in-time-recovery", () -> {}))
                        .map(DecisionMatrix.FULL_SYSTEM_LOCKDOWN, plan("full-system-lockdown", () -> {}))
                        .build())
                .executor(executor)
                .triggers(engine) // listens to its decisions, reads its rules back to healthy
                .dispatcher(dispatcher)
                .escalation(EscalationScheduler.custom() // who is paged
                        .contacts(EscalationContacts.custom()
                                .addContact(EscalationRole.ON_CALL_ENGINEER, "+1-555-0100")
                                .build())
                        .dispatcher(dispatcher)
                        .clock(clock)
                        .build())
                .notices(StakeholderNotices.custom() // who is informed, by when
                        .addContact(StakeholderGroup.TECHNICAL_TEAM, "#incidents")
                        .addContact(StakeholderGroup.MANAGEMENT, "leads@example.com")
                        .addContact(StakeholderGroup.CUSTOMERS, "status-page")
                        .dispatcher(dispatcher)
                        .clock(clock)
                        .build())
                .verification(PostRollbackVerification.custom()
                        .add(
                                Check.HEALTH,
                                Verifier.of(
                                        "serves-v41",
                                        ctx -> "v41".equals(live.get())
                                                ? Verification.passed("serves-v41", "production serves v41", live.get())
                                                : Verification.failed(
                                                        "serves-v41", "production serves v41", live.get())))
                        .settleFor(Duration.ofMinutes(2)) // error rate and latency healthy for 2 minutes
                        .build())
                .heightenedMonitoring(HeightenedMonitoring.custom()
                        .duration(Duration.ofHours(4))
                        .tighten(DecisionMatrix.ERROR_RATE, 0.005)
                        .build())
                .build();
        response.start(Duration.ofSeconds(5)); // in production: ticks on its own thread
        // end:incident-response
        response.close(); // the replay below ticks by hand, on the manual clock

        try (executor;
                engine;
                dispatcher) {
            replay(engine, response, clock, Duration.ofMinutes(2), 0);
            replay(engine, response, clock, Duration.ofMinutes(6), 3); // 3% errors: the rule fires at 5 minutes
            replay(engine, response, clock, Duration.ofMinutes(5), 0); // the rolled-back build serves well
            IncidentHandle incident = response.incidents().get(0);
            return incident.report().get(10, TimeUnit.SECONDS);
        }
    }

    /** A one-step plan named after the action it carries out. */
    private static RollbackPlan plan(String action, Runnable effect) {
        return plan(action, action, effect);
    }

    private static RollbackPlan plan(String name, String action, Runnable effect) {
        return RollbackPlan.builder(name, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(action)
                .step(RollbackStep.builder("act", "app")
                        .action(ctx -> effect.run())
                        .build())
                .build();
    }

    /** Each second: 100 requests of which {@code failedPercent} fail; then the engine evaluates and the response ticks. */
    private static void replay(
            TriggerEngine engine, IncidentResponse response, ManualClock clock, Duration duration, int failedPercent)
            throws InterruptedException {
        for (long s = 0; s < duration.toSeconds(); s++) {
            for (int i = 0; i < 100; i++) {
                engine.recordRequest(40, TimeUnit.MILLISECONDS, i >= failedPercent);
            }
            clock.advance(Duration.ofSeconds(1));
            engine.evaluate();
            response.tick();
            for (IncidentHandle h : response.incidents()) {
                if (h.run().isPresent()) {
                    h.run().get().await(Duration.ofSeconds(10));
                }
            }
        }
    }

    /** Replays the burst and prints what the response did. */
    public static void main(String[] args) throws Exception {
        IncidentReport report = run();
        System.out.println("incident " + report.incidentId() + " (" + report.severity() + "): " + report.state());
        System.out.println("  opened " + report.openedAt() + ", recovered "
                + report.recoveredAt().orElseThrow());
        report.run()
                .ifPresent(r -> System.out.println("  plan '" + r.planName() + "' " + r.outcome() + ", total recovery "
                        + r.metrics().totalRecovery().orElseThrow()));
        report.run()
                .ifPresent(r -> r.metrics()
                        .notifications()
                        .forEach(l -> System.out.println("  told " + l.stakeholder() + " after "
                                + l.latency().map(Duration::toString).orElse("never") + " (" + l.limitStatus() + ")")));
        System.out.println("  heightened monitoring until "
                + report.heightenedMonitoringUntil().orElseThrow());
    }
}
