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
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The runbook's "update API gateway routing: ensure all traffic routes to stable version", on the
 * Kubernetes Gateway API: sets the backends of every rule of an {@code HTTPRoute}
 * ({@code gateway.networking.k8s.io/v1}) so that the stable Service gets weight 100 and every other
 * backend weight 0 (kept in the route, so switching back is one more weight change); a rule without
 * the stable backend gets it added. One {@code PUT} of the route with the resourceVersion read.
 *
 * <p>Preflight (read-only): the route exists and has rules, the stable Service exists, and the port
 * is known (given, taken from a backend already pointing at the Service, or the Service's first port).
 * <b>Idempotent</b>: nothing is written when all traffic already goes to the stable backend; a 409
 * re-reads and tries again; a failure after sending re-reads and adopts a change that landed
 * ({@link Converge}); {@link #tookEffect} reads the weights. Evidence: {@value #PREVIOUS},
 * {@value #BACKENDS} ({@code service=weight} per backend, rules separated by {@code ;}),
 * {@value #CHANGED}. Immutable configuration, thread-safe. It never deletes a backend, a rule or a route,
 * and changes nothing but the backends.
 */
public final class GatewayRoutingStep implements RollbackStep {
    /** Evidence key: the backends before. */
    public static final String PREVIOUS = "gateway.previousBackends";
    /** Evidence key: the backends after. */
    public static final String BACKENDS = "gateway.backends";
    /** Evidence key: whether the step wrote. */
    public static final String CHANGED = "gateway.changed";

    private final KubernetesRollback cluster;
    private final String id;
    private final String component;
    private final String namespace;
    private final String route;
    private final String backend;
    private final Optional<Integer> port;

    private GatewayRoutingStep(Builder b) {
        this.cluster = b.cluster;
        this.id = b.id;
        this.component = b.component;
        this.namespace = b.namespace;
        this.route = b.route;
        this.backend = b.backend;
        this.port = Optional.ofNullable(b.port);
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

    /** The HTTPRoute rewritten: {@code namespace/httproute/name}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(namespace + "/httproute/" + route);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) {
        HTTPRoute live = readRoute();
        int p = port(live);
        context.evidence(PREVIOUS, describe(live));
        context.evidence(BACKENDS, describe(routed(live, p)));
    }

    @Override
    public void execute(StepContext context) {
        HTTPRoute before = readRoute();
        int p = port(before);
        context.evidence(PREVIOUS, describe(before));
        Converge.Outcome outcome = Converge.converge(
                context,
                "routing HTTPRoute " + namespace + "/" + route + " to " + backend,
                this::readRoute,
                this::allToBackend,
                live -> routed(live, p),
                cluster.kube()::update);
        context.evidence(BACKENDS, describe(readRoute()));
        context.evidence(CHANGED, Boolean.toString(outcome.changed()));
    }

    /** Whether every rule sends all its traffic to the stable backend. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(allToBackend(readRoute()));
    }

    private boolean allToBackend(HTTPRoute r) {
        for (HTTPRouteRule rule : rules(r)) {
            List<HTTPBackendRef> refs =
                    Optional.ofNullable(rule.getBackendRefs()).orElse(List.of());
            boolean stable = refs.stream().anyMatch(b -> isBackend(b) && weight(b) > 0);
            boolean other = refs.stream().anyMatch(b -> !isBackend(b) && weight(b) > 0);
            if (!stable || other) {
                return false;
            }
        }
        return true;
    }

    private HTTPRoute routed(HTTPRoute live, int p) {
        HTTPRoute changed = Templates.copy(live, HTTPRoute.class);
        for (HTTPRouteRule rule : rules(changed)) {
            List<HTTPBackendRef> refs =
                    new ArrayList<>(Optional.ofNullable(rule.getBackendRefs()).orElse(List.of()));
            boolean present = false;
            for (HTTPBackendRef ref : refs) {
                if (isBackend(ref)) {
                    ref.setWeight(100);
                    present = true;
                } else {
                    ref.setWeight(0);
                }
            }
            if (!present) {
                HTTPBackendRef ref = new HTTPBackendRef();
                ref.setName(backend);
                ref.setPort(p);
                ref.setWeight(100);
                refs.add(ref);
            }
            rule.setBackendRefs(refs);
        }
        return changed;
    }

    private int port(HTTPRoute live) {
        if (port.isPresent()) {
            return port.get();
        }
        Optional<Integer> fromRoute = rules(live).stream()
                .flatMap(rule -> Optional.ofNullable(rule.getBackendRefs()).orElse(List.of()).stream())
                .filter(this::isBackend)
                .map(HTTPBackendRef::getPort)
                .filter(Objects::nonNull)
                .findFirst();
        if (fromRoute.isPresent()) {
            return fromRoute.get();
        }
        Service svc = cluster.kube()
                .service(namespace, backend)
                .orElseThrow(
                        () -> refused("service '" + backend + "' does not exist in namespace '" + namespace + "'"));
        if (svc.getSpec().getPorts() == null || svc.getSpec().getPorts().isEmpty()) {
            throw refused("service " + namespace + "/" + backend + " has no port; set port(..)");
        }
        return svc.getSpec().getPorts().get(0).getPort();
    }

    private HTTPRoute readRoute() {
        HTTPRoute r = cluster.kube()
                .httpRoute(namespace, route)
                .orElseThrow(() -> refused(
                        cluster.kube().namespaceExists(namespace)
                                ? "HTTPRoute '" + route + "' does not exist in namespace '" + namespace + "'"
                                : "namespace '" + namespace + "' does not exist"));
        if (rules(r).isEmpty()) {
            throw refused("HTTPRoute " + namespace + "/" + route + " has no rules");
        }
        if (cluster.kube().service(namespace, backend).isEmpty()) {
            throw refused("service '" + backend + "' does not exist in namespace '" + namespace + "'");
        }
        return r;
    }

    private boolean isBackend(HTTPBackendRef ref) {
        boolean service = ref.getKind() == null || "Service".equals(ref.getKind());
        boolean sameNamespace = ref.getNamespace() == null || namespace.equals(ref.getNamespace());
        return service && sameNamespace && backend.equals(ref.getName());
    }

    private static int weight(HTTPBackendRef ref) {
        return Templates.value(ref.getWeight(), 1);
    }

    private static List<HTTPRouteRule> rules(HTTPRoute r) {
        return r.getSpec() == null || r.getSpec().getRules() == null
                ? List.of()
                : r.getSpec().getRules();
    }

    private static String describe(HTTPRoute r) {
        return rules(r).stream()
                .map(rule -> Optional.ofNullable(rule.getBackendRefs()).orElse(List.of()).stream()
                        .map(b -> b.getName() + "=" + weight(b))
                        .collect(Collectors.joining(",")))
                .collect(Collectors.joining(";"));
    }

    private RollbackException refused(String why) {
        return new RollbackException(
                ErrorCode.STEP_FAILED,
                "gateway routing of HTTPRoute " + namespace + "/" + route + " refused: " + why
                        + "; nothing was changed");
    }

    @Override
    public String toString() {
        return "GatewayRoutingStep[" + id + ", HTTPRoute " + namespace + "/" + route + " -> " + backend + "]";
    }

    /**
     * Builds a {@link GatewayRoutingStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final KubernetesRollback cluster;
        private String id = "route-gateway";
        private String component = KubernetesRollback.API_SERVER;
        private String namespace;
        private String route;
        private String backend;
        private Integer port;

        private Builder(KubernetesRollback cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** The step id. Default: {@code route-gateway}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#API_SERVER}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The namespace of the route and the Service. Required. */
        public Builder namespace(String namespace) {
            this.namespace = Names.label(namespace, "namespace");
            return this;
        }

        /** The HTTPRoute. Required. */
        public Builder route(String route) {
            this.route = Names.subdomain(route, "route");
            return this;
        }

        /** The Service all traffic goes to. Required. */
        public Builder backend(String backend) {
            this.backend = Names.label(backend, "backend");
            return this;
        }

        /** The backend's port, 1 to 65535. Default: as the route or the Service has it. */
        public Builder port(int port) {
            this.port = Arguments.requireInRange(port, "port", 1, 65_535);
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if namespace, route or backend is missing
         */
        public GatewayRoutingStep build() {
            if (namespace == null || route == null || backend == null) {
                throw new IllegalStateException("namespace, route and backend are required");
            }
            return new GatewayRoutingStep(this);
        }
    }
}
