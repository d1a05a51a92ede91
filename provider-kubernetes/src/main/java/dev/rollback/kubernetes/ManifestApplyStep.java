package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.kubernetes.internal.Kube;
import dev.rollback.kubernetes.internal.KubeFailures;
import dev.rollback.kubernetes.internal.Names;
import dev.rollback.kubernetes.internal.Templates;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * The runbook's {@code kubectl apply -f k8s/api-deployment-stable.yaml}, as a server-side apply with a
 * field manager of its own (default {@value #DEFAULT_FIELD_MANAGER}): each object of the manifest is
 * sent as a {@code PATCH} with {@code application/apply-patch+yaml} and {@code ?fieldManager=..}, in
 * the manifest's order. The API server merges it into the live object (or creates it) and records which
 * fields this manager owns; a field another manager owns (someone's {@code kubectl scale}, an
 * autoscaler) is a conflict, which fails the step naming the manager and the field unless
 * {@link Builder#force(boolean) force} takes it over.
 *
 * <p>Preflight (read-only): the manifest is read and parsed (a manifest that does not parse fails
 * naming its location and the parser's first line), each object has a kind and a name, its namespace
 * exists (default: {@link Builder#namespace(String)}), and the whole apply is sent as a server-side
 * dry run ({@code ?dryRun=All}), so a conflict or an object the API server refuses is found before any
 * change. Evidence: {@value #OBJECTS} ({@code Deployment prod/api-stable=created}, {@code configured}
 * or {@code unchanged}: whether the live object already held every field of the manifest) and
 * {@value #SOURCE}.
 *
 * <p><b>Idempotent</b>: applying the same manifest again changes nothing, so a retry or a resume just
 * applies again; {@link #tookEffect} says whether every object exists with this field manager. A
 * 5xx or a broken connection is transient (retried by the executor within the deadline); a conflict is
 * not. Immutable configuration, thread-safe. It never deletes an object, and never removes a field it
 * did not apply itself.
 */
public final class ManifestApplyStep implements RollbackStep {
    /** The field manager unless another is set. */
    public static final String DEFAULT_FIELD_MANAGER = "rollback";
    /** Evidence key: each object and what the apply did to it, comma-separated. */
    public static final String OBJECTS = "apply.objects";
    /** Evidence key: where the manifest came from. */
    public static final String SOURCE = "apply.source";

    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace",
            "ClusterRole",
            "ClusterRoleBinding",
            "CustomResourceDefinition",
            "PersistentVolume",
            "StorageClass",
            "PriorityClass",
            "IngressClass",
            "GatewayClass");

    private final KubernetesRollback cluster;
    private final String id;
    private final String component;
    private final Manifest manifest;
    private final Optional<String> namespace;
    private final String fieldManager;
    private final boolean force;

    private ManifestApplyStep(Builder b) {
        this.cluster = b.cluster;
        this.id = b.id;
        this.component = b.component;
        this.manifest = b.manifest;
        this.namespace = Optional.ofNullable(b.namespace);
        this.fieldManager = b.fieldManager;
        this.force = b.force;
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

    /** The namespace the manifest is applied in and the manifest, {@code namespace (source)}, when the step sets its
     * namespace (every namespaced object of the manifest is then in it); empty otherwise, as the objects name
     * their namespaces themselves (so drill mode refuses the step: set the namespace for a drill). */
    @Override
    public Optional<String> actsOn() {
        return namespace.map(ns -> ns + " (" + manifest.source() + ")");
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** The manifest. */
    public Manifest manifest() {
        return manifest;
    }

    /**
     * The manifest's objects, parsed and checked (kind, name, namespace filled in); no request is
     * sent.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION} naming the manifest if it cannot be read or
     *     parsed, is empty, or holds an object without kind, name or namespace
     */
    public List<HasMetadata> objects() {
        List<HasMetadata> objects;
        try (InputStream in = manifest.open()) {
            objects = cluster.kube().load(in);
        } catch (RollbackException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw invalid("does not parse: " + firstLine(e));
        }
        if (objects == null || objects.isEmpty()) {
            throw invalid("holds no object");
        }
        List<HasMetadata> checked = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            HasMetadata o = objects.get(i);
            if (o == null
                    || o.getKind() == null
                    || o.getMetadata() == null
                    || o.getMetadata().getName() == null) {
                throw invalid("document " + (i + 1) + " has no kind or no metadata.name");
            }
            boolean clusterScoped = CLUSTER_SCOPED.contains(o.getKind());
            String ns = o.getMetadata().getNamespace();
            if (!clusterScoped) {
                if (ns == null) {
                    if (namespace.isEmpty()) {
                        throw invalid(o.getKind() + " " + o.getMetadata().getName()
                                + " names no namespace and the step sets none");
                    }
                    o.getMetadata().setNamespace(namespace.get());
                } else if (namespace.isPresent() && !namespace.get().equals(ns)) {
                    throw invalid(o.getKind() + " " + o.getMetadata().getName() + " is in namespace '" + ns
                            + "', not the step's namespace '" + namespace.get() + "'");
                }
            }
            checked.add(o);
        }
        return checked;
    }

    @Override
    public void preflight(StepContext context) {
        List<HasMetadata> objects = objects();
        context.evidence(SOURCE, manifest.source());
        Kube kube = cluster.kube();
        for (String ns : objects.stream()
                .map(o -> o.getMetadata().getNamespace())
                .filter(Objects::nonNull)
                .collect(Collectors.toCollection(LinkedHashSet::new))) {
            if (!kube.namespaceExists(ns)) {
                throw new RollbackException(
                        ErrorCode.STEP_FAILED,
                        "apply of manifest " + manifest.source() + " refused: namespace '" + ns
                                + "' does not exist; nothing was changed");
            }
        }
        for (HasMetadata o : objects) {
            apply(o, true);
        }
    }

    @Override
    public void execute(StepContext context) {
        List<HasMetadata> objects = objects();
        context.evidence(SOURCE, manifest.source());
        List<String> done = new ArrayList<>();
        for (HasMetadata o : objects) {
            context.checkpoint();
            Optional<HasMetadata> before = cluster.kube().live(o);
            apply(o, false);
            String outcome = before.isEmpty() ? "created" : holds(before.get(), o) ? "unchanged" : "configured";
            done.add(Kube.describe(o) + "=" + outcome);
            context.evidence(OBJECTS, String.join(",", done));
            context.progress("applied " + Kube.describe(o) + " (" + outcome + ")");
        }
    }

    /** Whether every object of the manifest exists with this step's field manager among its managers. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        for (HasMetadata o : objects()) {
            Optional<HasMetadata> live = cluster.kube().live(o);
            if (live.isEmpty()
                    || live.get().getMetadata().getManagedFields() == null
                    || live.get().getMetadata().getManagedFields().stream()
                            .noneMatch(f -> fieldManager.equals(f.getManager()))) {
                return Optional.of(false);
            }
        }
        return Optional.of(true);
    }

    /**
     * Whether {@code live} already held every field of {@code manifest} with the same value (lists item by
     * item, so fields the API server defaulted inside them do not count): the apply then changed nothing.
     * Compared on content, not resourceVersion, which a controller moves at any time.
     */
    static boolean holds(HasMetadata live, HasMetadata manifest) {
        JsonNode wanted = Templates.tree(manifest);
        if (wanted instanceof tools.jackson.databind.node.ObjectNode object) {
            object.remove("status");
        }
        return subset(wanted, Templates.tree(live));
    }

    private static boolean subset(JsonNode wanted, JsonNode live) {
        if (live == null || live.isNull() || live.isMissingNode()) {
            return wanted == null || wanted.isNull();
        }
        if (wanted.isObject()) {
            if (!live.isObject()) {
                return false;
            }
            for (var entry : wanted.properties()) {
                if (!subset(entry.getValue(), live.get(entry.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (wanted.isArray()) {
            if (!live.isArray() || live.size() != wanted.size()) {
                return false;
            }
            for (int i = 0; i < wanted.size(); i++) {
                if (!subset(wanted.get(i), live.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return wanted.equals(live);
    }

    private HasMetadata apply(HasMetadata object, boolean dryRun) {
        try {
            return cluster.kube().apply(object, fieldManager, force, dryRun);
        } catch (KubeFailures.Conflict conflict) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "apply of " + Kube.describe(object) + " from " + manifest.source() + " conflicts with another"
                            + " field manager (" + conflict.getMessage() + "); "
                            + (dryRun ? "nothing was changed; " : "")
                            + "set force(true) to take those fields over",
                    conflict);
        }
    }

    private RollbackException invalid(String why) {
        return new RollbackException(ErrorCode.INVALID_CONFIGURATION, "manifest " + manifest.source() + " " + why);
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        String line = message.lines().findFirst().orElse("");
        return Redaction.redact(line.length() > 300 ? line.substring(0, 300) + "..." : line);
    }

    @Override
    public String toString() {
        return "ManifestApplyStep[" + id + ", " + manifest.source() + " as " + fieldManager + "]";
    }

    /**
     * Builds a {@link ManifestApplyStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final KubernetesRollback cluster;
        private String id = "apply-stable-manifest";
        private String component = KubernetesRollback.API_SERVER;
        private Manifest manifest;
        private String namespace;
        private String fieldManager = DEFAULT_FIELD_MANAGER;
        private boolean force;

        private Builder(KubernetesRollback cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** The step id. Default: {@code apply-stable-manifest}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#API_SERVER}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The manifest. Required. */
        public Builder manifest(Manifest manifest) {
            this.manifest = Objects.requireNonNull(manifest, "manifest");
            return this;
        }

        /** The namespace of the objects that name none (and that all namespaced objects must be in). Default: none. */
        public Builder namespace(String namespace) {
            this.namespace = Names.label(namespace, "namespace");
            return this;
        }

        /** The field manager. Default: {@value ManifestApplyStep#DEFAULT_FIELD_MANAGER}. */
        public Builder fieldManager(String fieldManager) {
            Arguments.requireText(fieldManager, "fieldManager");
            if (fieldManager.length() > 128) {
                throw new IllegalArgumentException(
                        "fieldManager must be at most 128 characters, but was " + fieldManager.length());
            }
            this.fieldManager = fieldManager;
            return this;
        }

        /** Whether to take over fields another manager owns instead of failing. Default: false. */
        public Builder force(boolean force) {
            this.force = force;
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the manifest is missing
         */
        public ManifestApplyStep build() {
            if (manifest == null) {
                throw new IllegalStateException("manifest is required");
            }
            return new ManifestApplyStep(this);
        }
    }
}
