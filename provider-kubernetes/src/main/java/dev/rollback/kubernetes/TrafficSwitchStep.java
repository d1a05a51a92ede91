package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.kubernetes.internal.Converge;
import dev.rollback.kubernetes.internal.Names;
import dev.rollback.kubernetes.internal.Templates;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The runbook's "switch traffic to the rollback container", blue/green on Kubernetes: moves a
 * Service's selector to the pods of another Deployment (its {@code spec.selector.matchLabels}), so
 * the Service's traffic goes to that Deployment and no longer to the one it selected. One {@code PUT}
 * of the Service with the resourceVersion read; the selector is replaced whole, never merged.
 *
 * <p>Preflight (read-only): the Service and the target Deployment exist; the target selects its pods
 * by labels only (no {@code matchExpressions}); it has at least one available replica (unless
 * {@link Builder#requireAvailableReplicas(boolean)} says otherwise), so traffic never goes to
 * nothing; and no other Deployment's pods carry those labels too, so traffic never goes to both.
 *
 * <p><b>Idempotent</b>: nothing is written when the Service already selects the target. A 409
 * re-reads and tries again; a failure after sending re-reads and adopts a change that landed
 * ({@link Converge}); {@link #tookEffect} compares the selector. Evidence: {@value #PREVIOUS},
 * {@value #SELECTOR}, {@value #CHANGED}. Immutable configuration, thread-safe. It never changes a
 * Deployment, never scales anything and never touches a Service's ports.
 */
public final class TrafficSwitchStep implements RollbackStep {
    /** Evidence key: the selector before, {@code k=v,...} in key order. */
    public static final String PREVIOUS = "traffic.previousSelector";
    /** Evidence key: the selector set. */
    public static final String SELECTOR = "traffic.selector";
    /** Evidence key: whether the step wrote. */
    public static final String CHANGED = "traffic.changed";

    private final KubernetesRollback cluster;
    private final String id;
    private final String component;
    private final String namespace;
    private final String service;
    private final String target;
    private final boolean requireAvailable;

    private TrafficSwitchStep(Builder b) {
        this.cluster = b.cluster;
        this.id = b.id;
        this.component = b.component;
        this.namespace = b.namespace;
        this.service = b.service;
        this.target = b.target;
        this.requireAvailable = b.requireAvailable;
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

    /** The Service whose selector is switched: {@code namespace/service/name}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(namespace + "/service/" + service);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** The Deployment traffic is moved to. */
    public String target() {
        return target;
    }

    @Override
    public void preflight(StepContext context) {
        Service svc = readService();
        Map<String, String> selector = wantedSelector(true);
        context.evidence(PREVIOUS, describe(svc.getSpec().getSelector()));
        context.evidence(SELECTOR, describe(selector));
    }

    @Override
    public void execute(StepContext context) {
        Map<String, String> wanted = wantedSelector(false);
        Service before = readService();
        context.evidence(PREVIOUS, describe(before.getSpec().getSelector()));
        Converge.Outcome outcome = Converge.converge(
                context,
                "switching service " + where(service) + " to deployment " + target,
                this::readService,
                svc -> wanted.equals(selector(svc)),
                svc -> {
                    Service changed = Templates.copy(svc, Service.class);
                    changed.getSpec().setSelector(new LinkedHashMap<>(wanted));
                    return changed;
                },
                cluster.kube()::update);
        context.evidence(SELECTOR, describe(wanted));
        context.evidence(CHANGED, Boolean.toString(outcome.changed()));
    }

    /** Whether the Service selects the target Deployment's pods. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(wantedSelector(false).equals(selector(readService())));
    }

    private Map<String, String> wantedSelector(boolean checkEverything) {
        Deployment d = cluster.kube()
                .deployment(namespace, target)
                .orElseThrow(
                        () -> refused("deployment '" + target + "' does not exist in namespace '" + namespace + "'"));
        var selector = d.getSpec().getSelector();
        if (selector == null
                || selector.getMatchLabels() == null
                || selector.getMatchLabels().isEmpty()
                || (selector.getMatchExpressions() != null
                        && !selector.getMatchExpressions().isEmpty())) {
            throw refused("deployment " + where(target)
                    + " does not select its pods by matchLabels alone, so no Service selector can match it");
        }
        Map<String, String> wanted = new TreeMap<>(selector.getMatchLabels());
        if (checkEverything) {
            int available =
                    d.getStatus() == null ? 0 : Templates.value(d.getStatus().getAvailableReplicas(), 0);
            if (requireAvailable && available < 1) {
                throw refused("deployment " + where(target) + " has no available replica to take the traffic");
            }
            for (Deployment other : cluster.kube().deployments(namespace)) {
                if (other.getMetadata().getName().equals(target)) {
                    continue;
                }
                Map<String, String> labels = other.getSpec().getTemplate().getMetadata() == null
                        ? Map.of()
                        : Optional.ofNullable(other.getSpec()
                                        .getTemplate()
                                        .getMetadata()
                                        .getLabels())
                                .orElse(Map.of());
                if (labels.entrySet().containsAll(wanted.entrySet())) {
                    throw refused("selector " + describe(wanted) + " would also select the pods of deployment "
                            + where(other.getMetadata().getName()) + ", sending traffic to both");
                }
            }
        }
        return wanted;
    }

    private Service readService() {
        return cluster.kube()
                .service(namespace, service)
                .orElseThrow(() -> refused(
                        cluster.kube().namespaceExists(namespace)
                                ? "service '" + service + "' does not exist in namespace '" + namespace + "'"
                                : "namespace '" + namespace + "' does not exist"));
    }

    private static Map<String, String> selector(Service svc) {
        return new TreeMap<>(Optional.ofNullable(svc.getSpec().getSelector()).orElse(Map.of()));
    }

    private static String describe(Map<String, String> selector) {
        return new TreeMap<>(Optional.ofNullable(selector).orElse(Map.of()))
                .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    private RollbackException refused(String why) {
        return new RollbackException(
                ErrorCode.STEP_FAILED,
                "traffic switch of service " + where(service) + " refused: " + why + "; nothing was changed");
    }

    private String where(String name) {
        return namespace + "/" + name;
    }

    @Override
    public String toString() {
        return "TrafficSwitchStep[" + id + ", service " + where(service) + " -> deployment " + target + "]";
    }

    /**
     * Builds a {@link TrafficSwitchStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final KubernetesRollback cluster;
        private String id = "switch-traffic";
        private String component = KubernetesRollback.FRONTEND;
        private String namespace;
        private String service;
        private String target;
        private boolean requireAvailable = true;

        private Builder(KubernetesRollback cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** The step id. Default: {@code switch-traffic}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#FRONTEND}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The namespace of the Service and the Deployment. Required. */
        public Builder namespace(String namespace) {
            this.namespace = Names.label(namespace, "namespace");
            return this;
        }

        /** The Service whose selector moves. Required. */
        public Builder service(String service) {
            this.service = Names.label(service, "service");
            return this;
        }

        /** The Deployment that takes the traffic. Required. */
        public Builder targetDeployment(String target) {
            this.target = Names.subdomain(target, "targetDeployment");
            return this;
        }

        /** Whether the preflight refuses a target with no available replica. Default: true. */
        public Builder requireAvailableReplicas(boolean requireAvailable) {
            this.requireAvailable = requireAvailable;
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if namespace, service or targetDeployment is missing
         */
        public TrafficSwitchStep build() {
            if (namespace == null || service == null || target == null) {
                throw new IllegalStateException("namespace, service and targetDeployment are required");
            }
            return new TrafficSwitchStep(this);
        }
    }
}
