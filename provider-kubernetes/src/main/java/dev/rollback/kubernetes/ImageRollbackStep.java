package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.kubernetes.internal.KubeFailures;
import dev.rollback.kubernetes.internal.Names;
import dev.rollback.kubernetes.internal.Templates;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runbook's "revert to previous Docker image" for a Deployment: {@code kubectl rollout undo}
 * (back to the previous revision, or {@code --to-revision}) or {@code kubectl set image} (a named
 * image for one container), by one {@code PUT} of the Deployment that carries the resourceVersion it
 * read. The revision history is the Deployment's ReplicaSets and their
 * {@code deployment.kubernetes.io/revision} annotations, as kubectl reads it: the previous revision
 * is the newest ReplicaSet whose template differs from the running one, and rolling back copies its
 * pod template (without the {@code pod-template-hash} label). The Deployment controller then rolls
 * the pods out; verify that with a {@link RolloutVerifier}.
 *
 * <p>Preflight (read-only; also what a dry run shows): the namespace and the Deployment exist, it is
 * not paused, and there is something to go back to; it records the revision and images it will go
 * from and to as evidence ({@value #FROM_REVISION}, {@value #TO_REVISION}, {@value #FROM_IMAGES},
 * {@value #TO_IMAGES}) and refuses, before any change, a Deployment with no previous revision, an
 * unknown revision or container, naming what the history holds.
 *
 * <p>Reconciled, never re-sent blindly. The write sets the template and, in the same object, the
 * annotation {@value #RUN_ANNOTATION} = {@code <run id>/<step id>} (and a
 * {@code kubernetes.io/change-cause} for {@code kubectl rollout history}), so whether this step's
 * change is in place can always be read back: a 409 (the Deployment changed since it was read) makes
 * the step re-read and try again with the same target, within the deadline; a 5xx or a broken
 * connection after the client's retries makes it read the Deployment and adopt the change if the
 * annotation is there, or fail transiently for the executor to retry; {@link #tookEffect} answers
 * from the annotation after a crash. The target of a revision rollback is fixed when the run first
 * resolves it, so a retry never goes back one revision further. A rollback to a revision is therefore
 * <b>not idempotent</b> (a second run would go back again), a rollback to a named image is.
 *
 * <p>Evidence also: {@value #CHANGED} and {@value #CONFLICTS}. Immutable configuration, thread-safe.
 * It never deletes or scales anything and never changes a paused Deployment.
 */
public final class ImageRollbackStep implements RollbackStep {
    /** Evidence key: the revision the Deployment ran before. */
    public static final String FROM_REVISION = "rollback.fromRevision";
    /** Evidence key: the revision it goes back to ({@code new} for a named image not in the history). */
    public static final String TO_REVISION = "rollback.toRevision";
    /** Evidence key: the images before, {@code container=image,...}. */
    public static final String FROM_IMAGES = "rollback.fromImages";
    /** Evidence key: the images after. */
    public static final String TO_IMAGES = "rollback.toImages";
    /** Evidence key: whether this step changed the Deployment ({@code false} when it already ran the target). */
    public static final String CHANGED = "rollback.changed";
    /** Evidence key: how many 409 conflicts the write met (each answered by a re-read). */
    public static final String CONFLICTS = "rollback.conflicts";
    /** The annotation that records which run and step changed the template. */
    public static final String RUN_ANNOTATION = "rollback.dev/run";

    private static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    private static final int MAX_CONFLICTS = 20;

    private final KubernetesRollback cluster;
    private final String id;
    private final String component;
    private final String namespace;
    private final String deployment;
    private final ImageTarget target;
    private final Optional<String> container;
    /** Per run: the name of the ReplicaSet a revision rollback goes back to, fixed at first resolution. */
    private final Map<String, String> pinned = new ConcurrentHashMap<>();

    private ImageRollbackStep(Builder b) {
        this.cluster = b.cluster;
        this.id = b.id;
        this.component = b.component;
        this.namespace = b.namespace;
        this.deployment = b.deployment;
        this.target = b.target;
        this.container = Optional.ofNullable(b.container);
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

    /** The Deployment rolled back: {@code namespace/deployment/name}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(namespace + "/deployment/" + deployment);
    }

    /** True for a named image; false for a revision, which a second run would take back further. */
    @Override
    public boolean idempotent() {
        return target.kind() == ImageTarget.Kind.IMAGE;
    }

    /** The namespace. */
    public String namespace() {
        return namespace;
    }

    /** The Deployment. */
    public String deployment() {
        return deployment;
    }

    /** Where it takes the Deployment. */
    public ImageTarget target() {
        return target;
    }

    /** What the rollback will do, resolved against the cluster. */
    private record Resolution(
            Deployment live, long fromRevision, String toRevision, PodTemplateSpec template, String pinned) {
        String fromImages() {
            return Templates.images(live.getSpec().getTemplate());
        }

        String toImages() {
            return Templates.images(template);
        }

        boolean alreadyThere() {
            return Templates.same(live.getSpec().getTemplate(), template);
        }
    }

    @Override
    public void preflight(StepContext context) {
        Deployment live = read();
        refusePaused(live);
        Resolution r = resolve(live, Optional.ofNullable(pinned.get(context.runId())));
        record(context, r);
    }

    @Override
    public void execute(StepContext context) {
        String mark = context.runId() + "/" + id;
        int conflicts = 0;
        while (true) {
            if (context.stopRequested()) {
                throw new StepInterruptedException("image rollback of " + where() + " was stopped");
            }
            Deployment live = read();
            if (mark.equals(annotation(live, RUN_ANNOTATION))) {
                context.evidence(CHANGED, "true");
                return; // an earlier attempt's write landed; its answer was lost
            }
            refusePaused(live);
            Resolution r = resolve(live, Optional.ofNullable(pinned.get(context.runId())));
            if (r.pinned() != null) {
                pinned.putIfAbsent(context.runId(), r.pinned());
            }
            record(context, r);
            if (r.alreadyThere()) {
                context.evidence(CHANGED, "false");
                return;
            }
            Deployment changed = Templates.copy(live, Deployment.class);
            changed.getSpec().setTemplate(r.template());
            Map<String, String> annotations = new LinkedHashMap<>(
                    Optional.ofNullable(changed.getMetadata().getAnnotations()).orElse(Map.of()));
            annotations.put(RUN_ANNOTATION, mark);
            annotations.put(
                    CHANGE_CAUSE,
                    "rollback run " + context.runId() + " step " + id + ": " + target + " (" + r.toImages() + ")");
            changed.getMetadata().setAnnotations(annotations);
            changed.setStatus(live.getStatus());
            context.checkpoint();
            try {
                cluster.kube().update(changed);
                context.evidence(CHANGED, "true");
                return;
            } catch (KubeFailures.Conflict conflict) {
                conflicts++;
                context.evidence(CONFLICTS, Integer.toString(conflicts));
                context.progress("conflict " + conflicts + " updating " + where() + "; re-reading");
                if (conflicts >= MAX_CONFLICTS) {
                    throw new TransientFailureException(
                            "image rollback of " + where() + " met " + conflicts + " conflicts in a row; "
                                    + conflict.getMessage(),
                            conflict);
                }
            } catch (TransientFailureException uncertain) {
                // the write may have landed before the failure: read it back, never re-send blindly
                Deployment after = readOrRethrow(uncertain);
                if (mark.equals(annotation(after, RUN_ANNOTATION))) {
                    context.evidence(CHANGED, "true");
                    return;
                }
                throw uncertain;
            }
        }
    }

    /**
     * Whether this run's change is in place: the Deployment carries this run's {@value #RUN_ANNOTATION}
     * (or, for a named image, runs it already).
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Deployment live = read();
        if ((context.runId() + "/" + id).equals(annotation(live, RUN_ANNOTATION))) {
            return Optional.of(true);
        }
        if (target.kind() == ImageTarget.Kind.IMAGE) {
            return Optional.of(resolve(live, Optional.empty()).alreadyThere());
        }
        return Optional.of(false);
    }

    private Deployment readOrRethrow(TransientFailureException failure) {
        try {
            return read();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            throw failure;
        }
    }

    private Deployment read() {
        Optional<Deployment> live = cluster.kube().deployment(namespace, deployment);
        if (live.isEmpty()) {
            if (!cluster.kube().namespaceExists(namespace)) {
                throw refused("namespace '" + namespace + "' does not exist");
            }
            throw refused("deployment '" + deployment + "' does not exist in namespace '" + namespace + "'");
        }
        return live.get();
    }

    private void refusePaused(Deployment live) {
        if (Boolean.TRUE.equals(live.getSpec().getPaused())) {
            throw refused("deployment " + where() + " is paused; resume it before rolling it back");
        }
    }

    private Resolution resolve(Deployment live, Optional<String> pinnedReplicaSet) {
        long fromRevision = Templates.revision(live);
        if (target.kind() == ImageTarget.Kind.IMAGE) {
            PodTemplateSpec template = Templates.withoutHash(live.getSpec().getTemplate());
            List<Container> containers = template.getSpec().getContainers();
            Container c = container
                    .map(name -> containers.stream()
                            .filter(x -> name.equals(x.getName()))
                            .findFirst()
                            .orElseThrow(() -> refused("deployment " + where() + " has no container '" + name
                                    + "' (it has " + names(containers) + ")")))
                    .orElseGet(() -> {
                        if (containers.size() != 1) {
                            throw refused("deployment " + where() + " has " + containers.size() + " containers ("
                                    + names(containers) + "); name the one to roll back");
                        }
                        return containers.get(0);
                    });
            c.setImage(target.image().orElseThrow());
            return new Resolution(live, fromRevision, "new", template, null);
        }
        List<ReplicaSet> history = cluster.kube().replicaSets(live);
        Optional<ReplicaSet> current = Templates.current(live, history);
        if (fromRevision == 0) {
            fromRevision = current.map(Templates::revision).orElse(0L);
        }
        ReplicaSet to;
        if (pinnedReplicaSet.isPresent()) {
            to = history.stream()
                    .filter(rs -> pinnedReplicaSet.get().equals(rs.getMetadata().getName()))
                    .findFirst()
                    .orElseThrow(() -> refused("the revision this run rolls " + where() + " back to (replica set "
                            + pinnedReplicaSet.get() + ") is no longer in its history"));
        } else if (target.kind() == ImageTarget.Kind.REVISION) {
            long wanted = target.revision().orElseThrow();
            to = history.stream()
                    .filter(rs -> Templates.revision(rs) == wanted)
                    .findFirst()
                    .orElseThrow(() -> refused("deployment " + where() + " has no revision " + wanted
                            + " (its history holds revisions " + Templates.revisions(history) + ")"));
        } else {
            to = history.stream()
                    .filter(rs -> Templates.revision(rs) > 0)
                    .filter(rs -> current.isEmpty()
                            || !Templates.same(
                                    rs.getSpec().getTemplate(), live.getSpec().getTemplate()))
                    .max(Comparator.comparingLong(Templates::revision))
                    .orElseThrow(() -> refused("deployment " + where() + " has no previous revision to roll back to"
                            + " (its history holds revisions " + Templates.revisions(history) + ")"));
        }
        return new Resolution(
                live,
                fromRevision,
                Long.toString(Templates.revision(to)),
                Templates.withoutHash(to.getSpec().getTemplate()),
                to.getMetadata().getName());
    }

    private void record(StepContext context, Resolution r) {
        context.evidence(FROM_REVISION, Long.toString(r.fromRevision()));
        context.evidence(TO_REVISION, r.toRevision());
        context.evidence(FROM_IMAGES, r.fromImages());
        context.evidence(TO_IMAGES, r.toImages());
    }

    private static String names(List<Container> containers) {
        return containers.stream().map(Container::getName).toList().toString();
    }

    private static String annotation(Deployment d, String key) {
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private RollbackException refused(String why) {
        return new RollbackException(ErrorCode.STEP_FAILED, "image rollback refused: " + why + "; nothing was changed");
    }

    private String where() {
        return namespace + "/" + deployment;
    }

    @Override
    public String toString() {
        return "ImageRollbackStep[" + id + ", " + where() + " to " + target + "]";
    }

    /**
     * Builds an {@link ImageRollbackStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final KubernetesRollback cluster;
        private String id = "image-rollback";
        private String component = KubernetesRollback.FRONTEND;
        private String namespace;
        private String deployment;
        private ImageTarget target = ImageTarget.previousRevision();
        private String container;

        private Builder(KubernetesRollback cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** The step id. Default: {@code image-rollback}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#FRONTEND}. */
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

        /** Where to take it. Default: {@link ImageTarget#previousRevision()}. */
        public Builder target(ImageTarget target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** The container a named image is for. Default: the only container (refused when there are several). */
        public Builder container(String container) {
            this.container = Names.label(container, "container");
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if namespace or deployment is missing
         */
        public ImageRollbackStep build() {
            if (namespace == null || deployment == null) {
                throw new IllegalStateException("namespace and deployment are required");
            }
            return new ImageRollbackStep(this);
        }
    }
}
