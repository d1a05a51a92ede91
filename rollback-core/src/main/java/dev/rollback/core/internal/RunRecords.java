package dev.rollback.core.internal;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.report.Abort;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.RunRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The data each journal record of a run carries, written and read in this one place: what
 * {@code RUN_STARTED} says about the plan, initiator and authorization, what a step's start and end
 * records hold (attempt, deadline, idempotence, outcome, reason, evidence), verifications, joins,
 * aborts and the run's end. Internal: the executor writes with it, {@code RunHistory} and resumption
 * read with it.
 *
 * <p>Stateless and thread-safe.
 */
public final class RunRecords {
    /** RUN_STARTED: the plan's name. */
    public static final String PLAN = "plan";
    /** STEP_FINISHED, RUN_FINISHED: how it ended. */
    public static final String OUTCOME = "outcome";
    /** STEP_STARTED: whether the step announced itself idempotent. */
    public static final String IDEMPOTENT = "idempotent";
    /** STEP_STARTED: whether the step announced itself destructive. */
    public static final String DESTRUCTIVE = "destructive";
    /** STEP_FINISHED, STEP_SKIPPED: why it failed, timed out or was skipped. */
    public static final String REASON = "reason";
    /** RUN_ABORTED: who aborted the run. */
    public static final String WHO = "who";

    /** RUN_STARTED: the plan's {@link RollbackPlan#digest() digest}. */
    public static final String PLAN_DIGEST = "planDigest";

    private static final String PLAN_KEY = "planKey";
    private static final String INITIATOR = "initiator";
    private static final String PRE_AUTHORIZED = "authorization.preAuthorized";
    private static final String POLICY = "authorization.policy";
    private static final String EVIDENCE = "evidence.";

    private RunRecords() {}

    /** RUN_STARTED (or RUN_RESUMED, with {@link #resumed}): the plan, the initiator and the authorization. */
    static Map<String, String> runStarted(RollbackPlan plan, RunRequest request, Authorization authorization) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(PLAN, plan.name());
        data.put(PLAN_KEY, plan.key());
        data.put(PLAN_DIGEST, plan.digest());
        data.put(
                INITIATOR,
                request.initiator().kind() + ":" + request.initiator().principal());
        request.initiator().decision().ifPresent(d -> {
            data.put("decision.rule", d.rule());
            data.put("decision.action", d.action());
        });
        data.put(POLICY, authorization.policy());
        data.put(PRE_AUTHORIZED, Boolean.toString(authorization.preAuthorized()));
        authorization.approvals().forEach(a -> data.put("approval." + a.role(), a.person()));
        return data;
    }

    /** What RUN_RESUMED adds to the start data: when it resumed and how long the run was dead. */
    static Map<String, String> resumed(Map<String, String> startData, Instant resumedAt, Duration deadFor) {
        Map<String, String> data = new LinkedHashMap<>(startData);
        data.put("resumedAt", resumedAt.toString());
        data.put("deadFor", deadFor.toString());
        return data;
    }

    /** The plan a RUN_STARTED record names, empty when it names none. */
    static String plan(Map<String, String> startData) {
        return startData.getOrDefault(PLAN, "");
    }

    /** The digest of the plan a RUN_STARTED record names, empty for a run journaled before digests were kept. */
    public static Optional<String> planDigest(Map<String, String> startData) {
        return Optional.ofNullable(startData.get(PLAN_DIGEST));
    }

    /** The key of the plan a RUN_STARTED record names (its run lock's key), empty when it names none. */
    public static String planKey(Map<String, String> startData) {
        return startData.getOrDefault(PLAN_KEY, "");
    }

    /** The request a resumed run continues under: the original initiator's kind and name, marked as a resume. */
    public static RunRequest resumeRequest(Map<String, String> startData) {
        String initiator = startData.getOrDefault(INITIATOR, "unknown");
        int colon = initiator.indexOf(':');
        String kind = colon < 0 ? initiator : initiator.substring(0, colon);
        String principal = colon < 0 || colon == initiator.length() - 1 ? initiator : initiator.substring(colon + 1);
        return new RunRequest(
                new Initiator(
                        Initiator.Kind.DRILL.name().equals(kind) ? Initiator.Kind.DRILL : Initiator.Kind.MANUAL,
                        "resume:" + principal,
                        Optional.empty()),
                List.of());
    }

    /** The authorization a resumed run carries: the one recorded when it first started. */
    public static Authorization resumedAuthorization(Map<String, String> startData, Instant startedAt) {
        return new Authorization(
                true,
                "true".equals(startData.get(PRE_AUTHORIZED)),
                startData.getOrDefault(POLICY, "unknown"),
                List.of(),
                List.of(),
                "authorized when the run first started (" + startData.getOrDefault(INITIATOR, "?")
                        + "); resumed from its journal",
                startedAt);
    }

    /** STEP_STARTED: the attempt, its deadline and what the step says of a repeat. */
    static Map<String, String> stepStarted(RollbackStep step, int attempt, Instant deadline) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("attempt", Integer.toString(attempt));
        data.put("deadline", deadline.toString());
        data.put(IDEMPOTENT, Boolean.toString(step.idempotent()));
        data.put(DESTRUCTIVE, Boolean.toString(step.destructive()));
        return data;
    }

    /** STEP_FINISHED or STEP_SKIPPED: the outcome, the attempts, the reason and the step's evidence. */
    static Map<String, String> stepEnded(StepStatus status, int attempts, String reason, Map<String, String> evidence) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(OUTCOME, status.name());
        data.put("attempts", Integer.toString(attempts));
        if (!reason.isEmpty()) {
            data.put(REASON, reason);
        }
        evidence.forEach((k, v) -> data.put(EVIDENCE + k, v));
        return data;
    }

    /** STEP_RECONCILED: the attempt whose outcome was indeterminate, the verdict, why, and what happened to the call. */
    static Map<String, String> stepReconciled(int attempt, Reconciliation reconciliation, String indeterminate) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("attempt", Integer.toString(attempt));
        data.put("verdict", reconciliation.verdict().name());
        data.put("explanation", reconciliation.explanation());
        data.put("indeterminate", indeterminate);
        return data;
    }

    /** The outcome a step's end record gives; FAILED when it gives none. */
    static StepStatus outcome(JournalRecord end) {
        return StepStatus.valueOf(end.data().getOrDefault(OUTCOME, StepStatus.FAILED.name()));
    }

    /** The reason a step's end record gives, empty when none. */
    static String reason(JournalRecord end) {
        return end.data().getOrDefault(REASON, "");
    }

    /** The evidence a step's end record carries, in order. */
    static Map<String, String> evidence(JournalRecord end) {
        Map<String, String> evidence = new LinkedHashMap<>();
        end.data().forEach((k, v) -> {
            if (k.startsWith(EVIDENCE)) {
                evidence.put(k.substring(EVIDENCE.length()), v);
            }
        });
        return evidence;
    }

    /** VERIFICATION: which verifier, whether it passed, what it checked and saw. */
    static Map<String, String> verification(Verification v) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("verifier", v.name());
        data.put("passed", Boolean.toString(v.passed()));
        data.put("checked", v.checked());
        data.put("observed", v.observed());
        return data;
    }

    /** DECISION: another request joined the run instead of starting a second one. */
    static Map<String, String> joined(RunRequest joiner) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(
                "joinedBy", joiner.initiator().kind() + ":" + joiner.initiator().principal());
        joiner.initiator().decision().ifPresent(d -> {
            data.put("decision.rule", d.rule());
            data.put("decision.action", d.action());
            data.put("decision.description", d.description());
        });
        return data;
    }

    /** RUN_ABORTED: who and why. */
    static Map<String, String> aborted(Abort abort) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(WHO, abort.who());
        data.put(REASON, abort.reason());
        return data;
    }

    /** RUN_FINISHED: the run's outcome and duration. */
    static Map<String, String> runFinished(RollbackReport report) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(OUTCOME, report.outcome().name());
        data.put("duration", report.duration().toString());
        return data;
    }

    /** The RTO budget of the plan (under "plan") and of each of its components, for the start event. */
    public static Map<String, Duration> budgets(RollbackPlan plan) {
        Map<String, Duration> budgets = new LinkedHashMap<>();
        budgets.put("plan", plan.objectives().rto());
        for (String component : plan.componentNames()) {
            budgets.put(component, plan.objectivesOf(component).rto());
        }
        return budgets;
    }
}
