package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.kubernetes.internal.Names;
import dev.rollback.kubernetes.internal.Templates;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's check that the rolled-back version runs, as {@code kubectl rollout status} decides
 * it: waits, inside the step's deadline, until the Deployment's controller has observed its latest
 * generation ({@code status.observedGeneration}), every desired replica is updated
 * ({@code updatedReplicas}), no old replica is left ({@code replicas}) and every updated replica is
 * available ({@code availableReplicas}); fails at once when the {@code Progressing} condition says
 * {@code ProgressDeadlineExceeded}. It polls every {@link Builder#pollInterval(Duration) poll
 * interval} and reports progress ({@link StepContext#progress(String)}) only when the counts change,
 * so a rollout that stops moving is caught by the step's stall timeout; a rollout still incomplete
 * when less than a poll interval (plus twice the last read's time) is left fails with the counts it
 * last saw, before the deadline. The counts are also recorded as evidence ({@code rollout.*}) each time
 * they change, so a step the executor stops at its deadline (a read slower than that margin) still
 * shows them.
 *
 * <p>The verification's details: {@code generation}, {@code observedGeneration}, {@code desired},
 * {@code updated}, {@code ready}, {@code available}, {@code replicas}, {@code progressing} (reason).
 * As a step ({@link #asStep(String, String)}) the same counts are its evidence ({@code rollout.*}).
 * Read-only and idempotent; immutable and thread-safe. It never changes the Deployment.
 */
public final class RolloutVerifier implements Verifier {
    private static final Duration MARGIN = Duration.ofMillis(100);

    private final KubernetesRollback cluster;
    private final String name;
    private final String namespace;
    private final String deployment;
    private final Duration pollInterval;

    private RolloutVerifier(Builder b) {
        this.cluster = b.cluster;
        this.name = b.name;
        this.namespace = b.namespace;
        this.deployment = b.deployment;
        this.pollInterval = b.pollInterval;
    }

    /** A builder on {@code cluster}. */
    public static Builder builder(KubernetesRollback cluster) {
        return new Builder(cluster);
    }

    @Override
    public String name() {
        return name;
    }

    /** The Deployment it watches. */
    public String deployment() {
        return deployment;
    }

    /** The counts of one look at the Deployment. */
    private record Counts(
            long generation,
            long observed,
            int desired,
            int updated,
            int ready,
            int available,
            int replicas,
            String progressing,
            boolean deadlineExceeded) {
        static Counts of(Deployment d) {
            DeploymentStatus s = Optional.ofNullable(d.getStatus()).orElseGet(DeploymentStatus::new);
            Optional<DeploymentCondition> progressing =
                    Optional.ofNullable(s.getConditions()).orElse(List.of()).stream()
                            .filter(c -> "Progressing".equals(c.getType()))
                            .findFirst();
            return new Counts(
                    Optional.ofNullable(d.getMetadata().getGeneration()).orElse(0L),
                    Optional.ofNullable(s.getObservedGeneration()).orElse(0L),
                    Templates.value(d.getSpec().getReplicas(), 1),
                    Templates.value(s.getUpdatedReplicas(), 0),
                    Templates.value(s.getReadyReplicas(), 0),
                    Templates.value(s.getAvailableReplicas(), 0),
                    Templates.value(s.getReplicas(), 0),
                    progressing.map(DeploymentCondition::getReason).orElse(""),
                    progressing
                            .filter(c -> "ProgressDeadlineExceeded".equals(c.getReason()))
                            .isPresent());
        }

        boolean complete() {
            return observed >= generation && updated >= desired && replicas <= updated && available >= updated;
        }

        String describe(String deployment) {
            if (observed < generation) {
                return deployment + ": waiting for the controller to observe generation " + generation + " (observed "
                        + observed + ")";
            }
            return deployment + ": " + updated + "/" + desired + " updated, " + ready + "/" + desired + " ready, "
                    + available + "/" + desired + " available, " + replicas + " replicas in total"
                    + (progressing.isEmpty() ? "" : " (" + progressing + ")");
        }

        Verification details(Verification v) {
            return v.withDetail("generation", Long.toString(generation))
                    .withDetail("observedGeneration", Long.toString(observed))
                    .withDetail("desired", Integer.toString(desired))
                    .withDetail("updated", Integer.toString(updated))
                    .withDetail("ready", Integer.toString(ready))
                    .withDetail("available", Integer.toString(available))
                    .withDetail("replicas", Integer.toString(replicas))
                    .withDetail("progressing", progressing);
        }
    }

    @Override
    public Verification verify(StepContext context) throws InterruptedException {
        String where = namespace + "/" + deployment;
        String checked = "deployment " + where + " rolled out (observed, all replicas updated and available)";
        Counts last = null;
        while (true) {
            if (context.stopRequested()) {
                throw new StepInterruptedException("rollout check of " + where + " was stopped");
            }
            long readStart = context.clock().monotonicNanos();
            Optional<Deployment> found = cluster.kube().deployment(namespace, deployment);
            Duration read = Duration.ofNanos(context.clock().monotonicNanos() - readStart);
            if (found.isEmpty()) {
                return Verification.failed(name, checked, "deployment not found");
            }
            Counts now = Counts.of(found.get());
            if (!now.equals(last)) {
                context.progress(now.describe(deployment));
                // recorded as it changes, so a step stopped at its deadline still shows what it last saw
                now.details(Verification.passed(name, checked, ""))
                        .details()
                        .forEach((k, v) -> context.evidence("rollout." + k, v));
                last = now;
            }
            if (now.deadlineExceeded()) {
                return now.details(Verification.failed(
                        name, checked, "the rollout exceeded its progress deadline: " + now.describe(deployment)));
            }
            if (now.complete()) {
                return now.details(Verification.passed(name, checked, now.describe(deployment)));
            }
            // stop while one more poll (and a read as slow as the last, twice over) still fits
            Duration margin = read.multipliedBy(2).compareTo(MARGIN) > 0 ? read.multipliedBy(2) : MARGIN;
            Duration remaining = context.remaining();
            if (remaining.compareTo(pollInterval.plus(margin)) < 0) {
                return now.details(Verification.failed(
                        name,
                        checked,
                        "not rolled out with " + remaining.toMillis() + " ms left before the deadline: "
                                + now.describe(deployment)));
            }
            context.clock().sleep(pollInterval);
        }
    }

    /**
     * This check as a read-only, idempotent plan step that waits for the rollout: it fails when the
     * check fails ({@code STEP_TIMED_OUT} when time ran out), with the counts as evidence
     * ({@code rollout.updated}, {@code rollout.ready}, ...). Give the planned step a stall timeout
     * to catch a rollout that stops moving before its deadline.
     */
    public RollbackStep asStep(String id, String component) {
        String checkedId = Arguments.requireId(id, "id");
        String checkedComponent = Arguments.requireId(component, "component");
        RolloutVerifier self = this;
        return new RollbackStep() {
            @Override
            public String id() {
                return checkedId;
            }

            @Override
            public String component() {
                return checkedComponent;
            }

            @Override
            public boolean idempotent() {
                return true;
            }

            @Override
            public void preflight(StepContext context) {
                if (cluster.kube().deployment(namespace, deployment).isEmpty()) {
                    throw new RollbackException(
                            ErrorCode.STEP_FAILED,
                            (cluster.kube().namespaceExists(namespace)
                                            ? "deployment '" + deployment + "' does not exist in namespace '"
                                                    + namespace + "'"
                                            : "namespace '" + namespace + "' does not exist")
                                    + "; nothing to verify");
                }
            }

            @Override
            public void execute(StepContext context) throws InterruptedException {
                Verification v = self.verify(context);
                v.details().forEach((k, value) -> context.evidence("rollout." + k, value));
                if (!v.passed()) {
                    boolean timedOut = v.observed().startsWith("not rolled out");
                    throw new RollbackException(
                            timedOut ? ErrorCode.STEP_TIMED_OUT : ErrorCode.STEP_FAILED,
                            "rollout of " + namespace + "/" + deployment + " incomplete: " + v.observed());
                }
            }

            @Override
            public String toString() {
                return "RolloutVerifier.asStep[" + checkedId + ", " + namespace + "/" + deployment + "]";
            }
        };
    }

    @Override
    public String toString() {
        return "RolloutVerifier[" + name + ", " + namespace + "/" + deployment + "]";
    }

    /**
     * Builds a {@link RolloutVerifier}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final KubernetesRollback cluster;
        private String name = "rollout";
        private String namespace;
        private String deployment;
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder(KubernetesRollback cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** The verifier's name in reports. Default: {@code rollout}. */
        public Builder name(String name) {
            this.name = Arguments.requireId(name, "name");
            return this;
        }

        /** The Deployment's namespace. Required. */
        public Builder namespace(String namespace) {
            this.namespace = Names.label(namespace, "namespace");
            return this;
        }

        /** The Deployment. Required. */
        public Builder deployment(String deployment) {
            this.deployment = Names.subdomain(deployment, "deployment");
            return this;
        }

        /** How long to wait between two reads; 10 ms to 30 s. Default: 1 s. */
        public Builder pollInterval(Duration pollInterval) {
            Arguments.requirePositive(pollInterval, "pollInterval", Duration.ofSeconds(30));
            if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("pollInterval must be at least 10 ms, but was " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * The verifier.
         *
         * @throws IllegalStateException if namespace or deployment is missing
         */
        public RolloutVerifier build() {
            if (namespace == null || deployment == null) {
                throw new IllegalStateException("namespace and deployment are required");
            }
            return new RolloutVerifier(this);
        }
    }
}
