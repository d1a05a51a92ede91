package dev.rollback.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays Kubernetes' deployment controller against a {@link KubernetesMockApiServer}, which has none:
 * for each Deployment it keeps one ReplicaSet per pod template, named {@code <deployment>-<hash>}
 * with the {@code pod-template-hash} label, an owner reference and the
 * {@code deployment.kubernetes.io/revision} annotation (a new template gets the next revision; going
 * back to an old template gives its ReplicaSet the next revision, as the real controller does, and
 * the Deployment carries the revision too). The current ReplicaSet is scaled to the Deployment's
 * replicas at once, and its replicas become ready one by one, one per {@link #readyInterval} of the
 * controller's clock; the old ReplicaSets scale down as the new replicas become ready. The
 * Deployment's status follows: {@code observedGeneration}, {@code replicas},
 * {@code updatedReplicas}, {@code readyReplicas}, {@code availableReplicas}, and the
 * {@code Available} and {@code Progressing} conditions (reasons {@code ReplicaSetUpdated},
 * {@code NewReplicaSetAvailable}, {@code ProgressDeadlineExceeded}). A paused Deployment is left
 * alone. There are no Pods.
 *
 * <p>On request a rollout {@link #stall stalls} (the new ReplicaSet stops at a number of ready
 * replicas and {@code Progressing} stays true, as with a crash-looping image) or {@link #fail fails}
 * (no new replica becomes ready and {@code Progressing} turns false with
 * {@code ProgressDeadlineExceeded}); {@link #heal} ends both.
 *
 * <p>It runs in the background ({@link KubernetesMockApiServer} starts it, one pass every
 * {@value #TICK_MILLIS} ms) or one {@link #reconcile()} at a time. It writes only when something
 * changed, with merge patches that carry no resourceVersion. Thread-safe.
 */
public final class DeploymentController implements AutoCloseable {

    /** The revision annotation on Deployments and ReplicaSets. */
    public static final String REVISION = "deployment.kubernetes.io/revision";
    /** The label that ties a ReplicaSet and its pods to one pod template. */
    public static final String POD_TEMPLATE_HASH = "pod-template-hash";
    /** How often the background loop reconciles, in milliseconds. */
    public static final int TICK_MILLIS = 25;

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentController.class);

    private enum Mode {
        NORMAL,
        STALL,
        FAIL
    }

    private record Behaviour(Mode mode, int readyReplicas) {}

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastReady = new HashMap<>();
    private volatile Duration readyInterval = Duration.ofMillis(100);
    private Thread loop;
    private volatile boolean running;

    DeploymentController(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * How long each new replica takes to become ready.
     *
     * @param interval zero or more; 100 ms by default (zero: all ready at the next pass)
     * @return this controller
     */
    public DeploymentController readyInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("readyInterval must not be negative, but was " + interval);
        }
        this.readyInterval = interval;
        return this;
    }

    /**
     * Stalls the rollouts of a Deployment: its current ReplicaSet gets no more than
     * {@code readyReplicas} ready replicas, and {@code Progressing} stays true.
     *
     * @param namespace the namespace
     * @param name the Deployment
     * @param readyReplicas 0 or more
     * @return this controller
     */
    public DeploymentController stall(String namespace, String name, int readyReplicas) {
        if (readyReplicas < 0) {
            throw new IllegalArgumentException("readyReplicas must be 0 or more, but was " + readyReplicas);
        }
        behaviours.put(key(namespace, name), new Behaviour(Mode.STALL, readyReplicas));
        return this;
    }

    /**
     * Fails the rollouts of a Deployment: no new replica becomes ready and {@code Progressing} turns
     * false with reason {@code ProgressDeadlineExceeded}.
     *
     * @param namespace the namespace
     * @param name the Deployment
     * @return this controller
     */
    public DeploymentController fail(String namespace, String name) {
        behaviours.put(key(namespace, name), new Behaviour(Mode.FAIL, 0));
        return this;
    }

    /**
     * Lets the rollouts of a Deployment go on normally again.
     *
     * @param namespace the namespace
     * @param name the Deployment
     * @return this controller
     */
    public DeploymentController heal(String namespace, String name) {
        behaviours.remove(key(namespace, name));
        return this;
    }

    /**
     * Waits until a Deployment's rollout is complete (observed, every replica updated and available,
     * no old replica left).
     *
     * @param namespace the namespace
     * @param name the Deployment
     * @param timeout how long to wait at most
     * @throws IllegalStateException naming the status seen if it is not complete in time
     */
    public void awaitRolledOut(String namespace, String name, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        String seen = "not found";
        while (System.nanoTime() < end) {
            Deployment d = client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            if (d != null) {
                if (complete(d)) {
                    return;
                }
                seen = String.valueOf(d.getStatus());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + namespace + "/" + name, e);
            }
        }
        throw new IllegalStateException("deployment " + namespace + "/" + name + " did not roll out within " + timeout
                + "; last status " + seen);
    }

    /** Whether a Deployment's rollout is complete, as {@code kubectl rollout status} decides. */
    static boolean complete(Deployment d) {
        if (d.getStatus() == null || d.getMetadata().getGeneration() == null) {
            return false;
        }
        long desired = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
        var s = d.getStatus();
        return Optional.ofNullable(s.getObservedGeneration()).orElse(0L)
                        >= d.getMetadata().getGeneration()
                && value(s.getUpdatedReplicas()) >= desired
                && value(s.getReplicas()) <= value(s.getUpdatedReplicas())
                && value(s.getAvailableReplicas()) >= value(s.getUpdatedReplicas());
    }

    /** One pass over every Deployment. */
    public synchronized void reconcile() {
        for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            try {
                reconcile(d);
            } catch (KubernetesClientException e) {
                // a concurrent writer won this pass; the next pass sees its change
                LOG.debug(
                        "deployment controller: {}/{}: {}",
                        d.getMetadata().getNamespace(),
                        d.getMetadata().getName(),
                        e.getMessage());
            }
        }
    }

    private void reconcile(Deployment d) {
        String ns = d.getMetadata().getNamespace();
        String name = d.getMetadata().getName();
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            return;
        }
        if (complete(d)
                && annotation(d, REVISION) != null
                && !behaviours.containsKey(key(ns, name))
                && Objects.equals(
                        d.getStatus().getObservedGeneration(), d.getMetadata().getGeneration())) {
            return; // rolled out and unchanged since: nothing to do
        }
        Instant now = clock.instant();
        Instant stamp = now.truncatedTo(ChronoUnit.SECONDS);
        List<ReplicaSet> owned = client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null
                        && rs.getMetadata().getOwnerReferences().stream()
                                .anyMatch(o -> Objects.equals(
                                        o.getUid(), d.getMetadata().getUid())))
                .collect(Collectors.toCollection(ArrayList::new));
        PodTemplateSpec template =
                Serialization.unmarshal(Serialization.asJson(d.getSpec().getTemplate()), PodTemplateSpec.class);
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            template.getMetadata().getLabels().remove(POD_TEMPLATE_HASH);
        }
        String hash = hash(template);
        long maxRevision =
                owned.stream().mapToLong(DeploymentController::revision).max().orElse(0);
        ReplicaSet current = owned.stream()
                .filter(rs -> hash.equals(label(rs, POD_TEMPLATE_HASH)))
                .findFirst()
                .orElse(null);
        if (current == null) {
            current = createReplicaSet(d, template, hash, maxRevision + 1);
            owned.add(current);
        } else if (revision(current) < maxRevision) {
            long old = revision(current);
            patch(
                    ns,
                    current.getMetadata().getName(),
                    "{\"metadata\":{\"annotations\":{\"" + REVISION + "\":\"" + (maxRevision + 1)
                            + "\",\"deployment.kubernetes.io/revision-history\":\"" + old + "\"}}}");
            current.getMetadata().getAnnotations().put(REVISION, Long.toString(maxRevision + 1));
        }
        String revision = Long.toString(revision(current));
        if (!revision.equals(annotation(d, REVISION))) {
            client.apps()
                    .deployments()
                    .inNamespace(ns)
                    .withName(name)
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"" + REVISION + "\":\"" + revision + "\"}}}");
        }

        int desired = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
        Behaviour behaviour = behaviours.getOrDefault(key(ns, name), new Behaviour(Mode.NORMAL, 0));
        int cap = switch (behaviour.mode()) {
            case NORMAL -> desired;
            case STALL -> Math.min(desired, behaviour.readyReplicas());
            case FAIL -> 0;
        };
        String uid = current.getMetadata().getUid();
        int ready = Math.min(
                value(current.getStatus() == null ? null : current.getStatus().getReadyReplicas()), desired);
        Instant last = lastReady.computeIfAbsent(uid, u -> now);
        if (ready < cap && !now.isBefore(last.plus(readyInterval))) {
            ready++;
            lastReady.put(uid, now);
        } else if (ready >= cap) {
            lastReady.put(uid, now);
        }
        if (ready > cap && behaviour.mode() != Mode.NORMAL) {
            ready = cap;
        }
        setReplicaSet(ns, current, desired, ready);

        int oldLeft = Math.max(0, desired - ready);
        int oldReplicas = 0;
        List<ReplicaSet> olds = owned.stream()
                .filter(rs -> rs != null && !hash.equals(label(rs, POD_TEMPLATE_HASH)))
                .sorted(Comparator.comparingLong(DeploymentController::revision).reversed())
                .collect(Collectors.toList());
        for (ReplicaSet old : olds) {
            int keep = Math.min(value(old.getSpec().getReplicas()), oldLeft);
            oldLeft -= keep;
            oldReplicas += keep;
            setReplicaSet(ns, old, keep, keep);
        }

        int replicas = desired + oldReplicas;
        int available = ready + oldReplicas;
        String rsName = current.getMetadata().getName();
        boolean done = ready >= desired && oldReplicas == 0;
        ObjectNode status = MockApiDispatcher.JSON.createObjectNode();
        status.put(
                        "observedGeneration",
                        Optional.ofNullable(d.getMetadata().getGeneration()).orElse(1L))
                .put("replicas", replicas)
                .put("updatedReplicas", desired)
                .put("readyReplicas", available)
                .put("availableReplicas", available)
                .put("unavailableReplicas", Math.max(0, replicas - available));
        ArrayNode conditions = status.putArray("conditions");
        condition(
                conditions,
                d,
                "Available",
                available >= desired ? "True" : "False",
                available >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                available >= desired
                        ? "Deployment has minimum availability."
                        : "Deployment does not have minimum availability.",
                stamp);
        if (behaviour.mode() == Mode.FAIL) {
            condition(
                    conditions,
                    d,
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    "ReplicaSet \"" + rsName + "\" has timed out progressing.",
                    stamp);
        } else {
            condition(
                    conditions,
                    d,
                    "Progressing",
                    "True",
                    done ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                    done
                            ? "ReplicaSet \"" + rsName + "\" has successfully progressed."
                            : "ReplicaSet \"" + rsName + "\" is progressing.",
                    stamp);
        }
        JsonNode before = d.getStatus() == null
                ? MockApiDispatcher.JSON.createObjectNode()
                : MockApiDispatcher.read(Serialization.asJson(d.getStatus()));
        if (!status.equals(before)) {
            // a JSON patch that sets the status whole: the mock's merge patch appends to lists (conditions)
            ArrayNode patch = MockApiDispatcher.JSON.createArrayNode();
            patch.addObject().put("op", "add").put("path", "/status").set("value", status);
            client.apps()
                    .deployments()
                    .inNamespace(ns)
                    .withName(name)
                    .status()
                    .patch(PatchContext.of(PatchType.JSON), MockApiDispatcher.write(patch));
        }
    }

    /** Adds a condition, keeping its transition time while its status stays the same. */
    private static void condition(
            ArrayNode conditions,
            Deployment d,
            String type,
            String status,
            String reason,
            String message,
            Instant now) {
        Optional<DeploymentCondition> old =
                d.getStatus() == null || d.getStatus().getConditions() == null
                        ? Optional.empty()
                        : d.getStatus().getConditions().stream()
                                .filter(c -> type.equals(c.getType()))
                                .findFirst();
        String transition = old.filter(c -> status.equals(c.getStatus()))
                .map(DeploymentCondition::getLastTransitionTime)
                .orElse(now.toString());
        String update = old.filter(c ->
                        status.equals(c.getStatus()) && reason.equals(c.getReason()) && message.equals(c.getMessage()))
                .map(DeploymentCondition::getLastUpdateTime)
                .orElse(now.toString());
        conditions
                .addObject()
                .put("type", type)
                .put("status", status)
                .put("lastUpdateTime", update)
                .put("lastTransitionTime", transition)
                .put("reason", reason)
                .put("message", message);
    }

    private ReplicaSet createReplicaSet(Deployment d, PodTemplateSpec template, String hash, long revision) {
        Map<String, String> labels = new LinkedHashMap<>(
                Optional.ofNullable(template.getMetadata().getLabels()).orElse(Map.of()));
        labels.put(POD_TEMPLATE_HASH, hash);
        PodTemplateSpec withHash = Serialization.unmarshal(Serialization.asJson(template), PodTemplateSpec.class);
        withHash.getMetadata().setLabels(labels);
        Map<String, String> selector = new LinkedHashMap<>(
                Optional.ofNullable(d.getSpec().getSelector().getMatchLabels()).orElse(Map.of()));
        selector.put(POD_TEMPLATE_HASH, hash);
        ReplicaSet rs = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(d.getMetadata().getName() + "-" + hash)
                .withNamespace(d.getMetadata().getNamespace())
                .withLabels(labels)
                .addToAnnotations(REVISION, Long.toString(revision))
                .addToAnnotations(
                        "deployment.kubernetes.io/desired-replicas",
                        String.valueOf(
                                Optional.ofNullable(d.getSpec().getReplicas()).orElse(1)))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("apps/v1")
                        .withKind("Deployment")
                        .withName(d.getMetadata().getName())
                        .withUid(d.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withTemplate(withHash)
                .endSpec()
                .build();
        return client.apps()
                .replicaSets()
                .inNamespace(d.getMetadata().getNamespace())
                .resource(rs)
                .create();
    }

    private void setReplicaSet(String ns, ReplicaSet rs, int replicas, int ready) {
        if (value(rs.getSpec().getReplicas()) != replicas) {
            patch(ns, rs.getMetadata().getName(), "{\"spec\":{\"replicas\":" + replicas + "}}");
        }
        var s = rs.getStatus();
        if (s == null
                || value(s.getReplicas()) != replicas
                || value(s.getReadyReplicas()) != ready
                || value(s.getAvailableReplicas()) != ready) {
            client.apps()
                    .replicaSets()
                    .inNamespace(ns)
                    .withName(rs.getMetadata().getName())
                    .status()
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"status\":{\"replicas\":" + replicas + ",\"fullyLabeledReplicas\":" + replicas
                                    + ",\"readyReplicas\":" + ready + ",\"availableReplicas\":" + ready
                                    + ",\"observedGeneration\":"
                                    + Optional.ofNullable(rs.getMetadata().getGeneration())
                                            .orElse(1L) + "}}");
        }
    }

    private void patch(String ns, String replicaSet, String mergePatch) {
        client.apps()
                .replicaSets()
                .inNamespace(ns)
                .withName(replicaSet)
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    /** A stable hash of a pod template: 10 hex digits of the SHA-256 of its canonical JSON. */
    static String hash(PodTemplateSpec template) {
        Object canonical = canonical(MockApiDispatcher.read(Serialization.asJson(template)));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(MockApiDispatcher.JSON.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                sb.append(String.format("%02x", digest[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot hash a pod template", e);
        }
    }

    private static Object canonical(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> sorted = new TreeMap<>();
            node.properties().forEach(e -> sorted.put(e.getKey(), canonical(e.getValue())));
            return sorted;
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            node.forEach(n -> items.add(canonical(n)));
            return items;
        }
        return node;
    }

    static long revision(ReplicaSet rs) {
        try {
            return Long.parseLong(Optional.ofNullable(annotation(rs, REVISION)).orElse("0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String annotation(io.fabric8.kubernetes.api.model.HasMetadata o, String key) {
        Map<String, String> annotations = o.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static String label(io.fabric8.kubernetes.api.model.HasMetadata o, String key) {
        Map<String, String> labels = o.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }

    private static String key(String namespace, String name) {
        return Objects.requireNonNull(namespace, "namespace") + "/" + Objects.requireNonNull(name, "name");
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        loop = new Thread(
                () -> {
                    while (running) {
                        try {
                            reconcile();
                        } catch (RuntimeException e) {
                            if (running) {
                                LOG.debug("deployment controller pass failed: {}", e.toString());
                            }
                        }
                        try {
                            Thread.sleep(TICK_MILLIS);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "testkit-deployment-controller");
        loop.setDaemon(true);
        loop.start();
    }

    /** Stops the background loop; {@link #reconcile()} still works. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = loop;
            loop = null;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
