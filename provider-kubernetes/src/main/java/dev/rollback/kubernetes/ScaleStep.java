package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.kubernetes.internal.Names;
import dev.rollback.kubernetes.internal.Templates;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's {@code kubectl scale deployment advisoros-api --replicas=N}: sets a Deployment's
 * replicas with a merge patch of {@code spec.replicas} (as {@code kubectl scale} does, with no
 * precondition), then, unless told not to, waits inside the step's deadline until the controller has
 * observed it and the Deployment has exactly that many replicas (and, scaling up, that many
 * available), reporting progress as the count moves.
 *
 * <p>Preflight (read-only): the namespace and the Deployment exist; evidence {@value #BEFORE}.
 * <b>Idempotent</b>: nothing is written when the Deployment already wants that many replicas;
 * {@link #tookEffect} reads {@code spec.replicas}. Evidence: {@value #BEFORE}, {@value #AFTER},
 * {@value #CHANGED}. Immutable configuration, thread-safe. It never changes anything but
 * {@code spec.replicas} and never deletes a Deployment.
 */
public final class ScaleStep implements RollbackStep {
    /** Evidence key: the replicas wanted before. */
    public static final String BEFORE = "scale.replicasBefore";
    /** Evidence key: the replicas set. */
    public static final String AFTER = "scale.replicas";
    /** Evidence key: whether the step wrote ({@code false} when already at the count). */
    public static final String CHANGED = "scale.changed";

    private static final Duration MARGIN = Duration.ofMillis(100);

    private final KubernetesRollback cluster;
    private final String id;
    private final String component;
    private final String namespace;
    private final String deployment;
    private final int replicas;
    private final boolean await;
    private final Duration pollInterval;

    private ScaleStep(Builder b) {
        this.cluster = b.cluster;
        this.id = b.id;
        this.component = b.component;
        this.namespace = b.namespace;
        this.deployment = b.deployment;
        this.replicas = b.replicas;
        this.await = b.await;
        this.pollInterval = b.pollInterval;
    }

    /** A builder on {@code cluster}. */
    public static Builder builder(KubernetesRollback cluster) {
        return new Builder(cluster);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The Deployment scaled: {@code namespace/deployment/name}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(namespace + "/deployment/" + deployment);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** The replicas it sets. */
    public int replicas() {
        return replicas;
    }

    @Override
    public void preflight(StepContext context) {
        context.evidence(
                BEFORE, Integer.toString(Templates.value(read().getSpec().getReplicas(), 1)));
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        Deployment live = read();
        int before = Templates.value(live.getSpec().getReplicas(), 1);
        context.evidence(BEFORE, Integer.toString(before));
        boolean changed = before != replicas;
        if (changed) {
            context.checkpoint();
            cluster.kube().scale(namespace, deployment, replicas);
        }
        context.evidence(AFTER, Integer.toString(replicas));
        context.evidence(CHANGED, Boolean.toString(changed));
        if (await) {
            awaitReplicas(context);
        }
    }

    private void awaitReplicas(StepContext context) throws InterruptedException {
        String last = null;
        while (true) {
            if (context.stopRequested()) {
                throw new StepInterruptedException("scaling " + where() + " was stopped");
            }
            long readStart = context.clock().monotonicNanos();
            Deployment d = read();
            Duration readTime = Duration.ofNanos(context.clock().monotonicNanos() - readStart);
            var s = d.getStatus();
            long generation =
                    Optional.ofNullable(d.getMetadata().getGeneration()).orElse(0L);
            long observed = s == null
                    ? 0
                    : Optional.ofNullable(s.getObservedGeneration()).orElse(0L);
            int total = s == null ? 0 : Templates.value(s.getReplicas(), 0);
            int available = s == null ? 0 : Templates.value(s.getAvailableReplicas(), 0);
            String counts = where() + ": " + total + " replicas, " + available + " available, " + replicas + " wanted"
                    + (observed < generation ? " (generation " + generation + " not observed yet)" : "");
            if (!counts.equals(last)) {
                context.progress(counts);
                context.evidence("scale.observed", counts);
                last = counts;
            }
            if (observed >= generation && total == replicas && available >= replicas) {
                return;
            }
            Duration margin = readTime.multipliedBy(2).compareTo(MARGIN) > 0 ? readTime.multipliedBy(2) : MARGIN;
            Duration remaining = context.remaining();
            if (remaining.compareTo(pollInterval.plus(margin)) < 0) {
                throw new RollbackException(
                        ErrorCode.STEP_TIMED_OUT,
                        "scaling " + where() + " to " + replicas + " did not finish with " + remaining.toMillis()
                                + " ms left: " + counts);
            }
            context.clock().sleep(pollInterval);
        }
    }

    /** Whether the Deployment wants this step's replicas. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(Templates.value(read().getSpec().getReplicas(), 1) == replicas);
    }

    private Deployment read() {
        Optional<Deployment> live = cluster.kube().deployment(namespace, deployment);
        if (live.isEmpty()) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "scale refused: "
                            + (cluster.kube().namespaceExists(namespace)
                                    ? "deployment '" + deployment + "' does not exist in namespace '" + namespace + "'"
                                    : "namespace '" + namespace + "' does not exist")
                            + "; nothing was changed");
        }
        return live.get();
    }

    private String where() {
        return namespace + "/" + deployment;
    }

    @Override
    public String toString() {
        return "ScaleStep[" + id + ", " + where() + " to " + replicas + "]";
    }

    /**
     * Builds a {@link ScaleStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final KubernetesRollback cluster;
        private String id = "scale";
        private String component = KubernetesRollback.API_SERVER;
        private String namespace;
        private String deployment;
        private Integer replicas;
        private boolean await = true;
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder(KubernetesRollback cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** The step id. Default: {@code scale}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#API_SERVER}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
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

        /** The replicas, 0 to 10000. Required. */
        public Builder replicas(int replicas) {
            this.replicas = Arguments.requireInRange(replicas, "replicas", 0, 10_000);
            return this;
        }

        /** Whether to wait until the Deployment has that many replicas. Default: true. */
        public Builder awaitReplicas(boolean await) {
            this.await = await;
            return this;
        }

        /** How long to wait between two reads while waiting; 10 ms to 30 s. Default: 1 s. */
        public Builder pollInterval(Duration pollInterval) {
            Arguments.requirePositive(pollInterval, "pollInterval", Duration.ofSeconds(30));
            if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("pollInterval must be at least 10 ms, but was " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if namespace, deployment or replicas is missing
         */
        public ScaleStep build() {
            if (namespace == null || deployment == null || replicas == null) {
                throw new IllegalStateException("namespace, deployment and replicas are required");
            }
            return new ScaleStep(this);
        }
    }
}
