package dev.rollback.kubernetes.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The Kubernetes API as this provider uses it, over a fabric8 {@link KubernetesClient}: one request per
 * method, every failure mapped by {@link KubeFailures}. Updates are {@code PUT}s carrying the
 * resourceVersion that was read, so a concurrent change is a 409 and never overwritten. The only
 * class besides the public factory that holds a fabric8 client. Thread-safe (the client is). It never
 * deletes anything.
 */
public final class Kube {
    private final KubernetesClient client;
    private final boolean owned;

    private Kube(KubernetesClient client, boolean owned) {
        this.client = client;
        this.owned = owned;
    }

    /** Over a client; {@code owned}: whether {@link #close()} closes it. */
    public static Kube of(KubernetesClient client, boolean owned) {
        return new Kube(Objects.requireNonNull(client, "client"), owned);
    }

    /** The API server's URL, for messages (never a credential). */
    public String server() {
        return String.valueOf(client.getMasterUrl());
    }

    /** Closes the client if this provider built it. */
    public void close() {
        if (owned) {
            client.close();
        }
    }

    /** Whether the namespace exists. */
    public boolean namespaceExists(String namespace) {
        return call(
                "reading namespace " + namespace,
                () -> client.namespaces().withName(namespace).get() != null);
    }

    /** The Deployment, or empty when it (or its namespace) does not exist. */
    public Optional<Deployment> deployment(String namespace, String name) {
        return call(
                "reading deployment " + namespace + "/" + name,
                () -> Optional.ofNullable(client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(name)
                        .get()));
    }

    /** Every Deployment of a namespace. */
    public List<Deployment> deployments(String namespace) {
        return call(
                "listing the deployments of namespace " + namespace,
                () -> client.apps().deployments().inNamespace(namespace).list().getItems());
    }

    /** The ReplicaSets a Deployment owns (its revision history). */
    public List<ReplicaSet> replicaSets(Deployment owner) {
        String namespace = owner.getMetadata().getNamespace();
        String uid = owner.getMetadata().getUid();
        return call(
                "listing the replica sets of deployment " + namespace + "/"
                        + owner.getMetadata().getName(),
                () -> client.apps().replicaSets().inNamespace(namespace).list().getItems().stream()
                        .filter(rs -> rs.getMetadata().getOwnerReferences() != null
                                && rs.getMetadata().getOwnerReferences().stream()
                                        .anyMatch(o -> Objects.equals(o.getUid(), uid)))
                        .collect(Collectors.toList()));
    }

    /** Replaces a Deployment; 409 if it changed since {@code deployment} was read. */
    public Deployment update(Deployment deployment) {
        return call(
                "updating deployment " + deployment.getMetadata().getNamespace() + "/"
                        + deployment.getMetadata().getName(),
                () -> client.apps()
                        .deployments()
                        .inNamespace(deployment.getMetadata().getNamespace())
                        .resource(deployment)
                        .update());
    }

    /** Sets a Deployment's replicas with a merge patch (as {@code kubectl scale} does, without a precondition). */
    public Deployment scale(String namespace, String name, int replicas) {
        return call(
                "scaling deployment " + namespace + "/" + name + " to " + replicas,
                () -> client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(name)
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}"));
    }

    /** The Service, or empty. */
    public Optional<Service> service(String namespace, String name) {
        return call(
                "reading service " + namespace + "/" + name,
                () -> Optional.ofNullable(
                        client.services().inNamespace(namespace).withName(name).get()));
    }

    /** Replaces a Service; 409 if it changed since it was read. */
    public Service update(Service service) {
        return call(
                "updating service " + service.getMetadata().getNamespace() + "/"
                        + service.getMetadata().getName(),
                () -> client.services()
                        .inNamespace(service.getMetadata().getNamespace())
                        .resource(service)
                        .update());
    }

    /** The Gateway API HTTPRoute, or empty. */
    public Optional<HTTPRoute> httpRoute(String namespace, String name) {
        return call(
                "reading HTTPRoute " + namespace + "/" + name,
                () -> Optional.ofNullable(client.resources(HTTPRoute.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get()));
    }

    /** Replaces an HTTPRoute; 409 if it changed since it was read. */
    public HTTPRoute update(HTTPRoute route) {
        return call(
                "updating HTTPRoute " + route.getMetadata().getNamespace() + "/"
                        + route.getMetadata().getName(),
                () -> client.resources(HTTPRoute.class)
                        .inNamespace(route.getMetadata().getNamespace())
                        .resource(route)
                        .update());
    }

    /** The live object named like {@code object} (same kind, namespace and name), or empty. */
    public Optional<HasMetadata> live(HasMetadata object) {
        return call(
                "reading " + describe(object),
                () -> Optional.ofNullable(client.resource(object).get()));
    }

    /**
     * Server-side apply of {@code object} as {@code fieldManager}, forcing conflicts when {@code force};
     * with {@code dryRun} the API server checks it all and stores nothing ({@code ?dryRun=All}).
     */
    public HasMetadata apply(HasMetadata object, String fieldManager, boolean force, boolean dryRun) {
        return call((dryRun ? "dry-run applying " : "applying ") + describe(object), () -> {
            var resource = client.resource(object);
            var applicable = (dryRun ? resource.dryRun() : resource).fieldManager(fieldManager);
            return force ? applicable.forceConflicts().serverSideApply() : applicable.serverSideApply();
        });
    }

    /** Parses a manifest (one or more YAML or JSON documents) into objects; no request is sent. */
    public List<HasMetadata> load(InputStream manifest) {
        return client.load(manifest).items();
    }

    /** "Deployment prod/api", for messages. */
    public static String describe(HasMetadata object) {
        String ns = object.getMetadata().getNamespace();
        return object.getKind() + " " + (ns == null ? "" : ns + "/")
                + object.getMetadata().getName();
    }

    private static <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            throw KubeFailures.map(what, e);
        }
    }
}
