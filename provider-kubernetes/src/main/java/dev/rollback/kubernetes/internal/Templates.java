package dev.rollback.kubernetes.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Pod templates and the revision history of a Deployment, as {@code kubectl rollout undo} reads them:
 * a ReplicaSet's {@code deployment.kubernetes.io/revision} annotation numbers it, its template minus
 * the {@code pod-template-hash} label is the Deployment template of that revision. Stateless.
 */
public final class Templates {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** The revision annotation on Deployments and ReplicaSets. */
    public static final String REVISION = "deployment.kubernetes.io/revision";
    /** The label the deployment controller adds to each ReplicaSet's template. */
    public static final String POD_TEMPLATE_HASH = "pod-template-hash";

    private Templates() {}

    /** A deep copy of any model object. */
    public static <T> T copy(T object, Class<T> type) {
        return SERIALIZATION.unmarshal(SERIALIZATION.asJson(object), type);
    }

    /** The template without the {@code pod-template-hash} label, as a Deployment carries it. */
    public static PodTemplateSpec withoutHash(PodTemplateSpec template) {
        PodTemplateSpec copy = copy(template, PodTemplateSpec.class);
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            copy.getMetadata().getLabels().remove(POD_TEMPLATE_HASH);
        }
        return copy;
    }

    /** Whether two templates are the same, ignoring the {@code pod-template-hash} label. */
    public static boolean same(PodTemplateSpec a, PodTemplateSpec b) {
        return tree(withoutHash(a)).equals(tree(withoutHash(b)));
    }

    /** {@code object} as a JSON tree, serialized as the client serializes the Kubernetes model. */
    public static JsonNode tree(Object object) {
        return SERIALIZATION.convertValue(object, JsonNode.class);
    }

    /** The revision of a ReplicaSet, 0 when it has none. */
    public static long revision(ReplicaSet rs) {
        return parse(annotation(rs.getMetadata().getAnnotations(), REVISION));
    }

    /** The revision a Deployment carries, 0 when it has none. */
    public static long revision(Deployment d) {
        return parse(annotation(d.getMetadata().getAnnotations(), REVISION));
    }

    /** The images of a template, {@code name=image} joined by commas, in container order. */
    public static String images(PodTemplateSpec template) {
        List<Container> containers = template.getSpec() == null
                ? List.of()
                : Optional.ofNullable(template.getSpec().getContainers()).orElse(List.of());
        return containers.stream().map(c -> c.getName() + "=" + c.getImage()).collect(Collectors.joining(","));
    }

    /** The ReplicaSet of the history whose template the Deployment runs now, if any. */
    public static Optional<ReplicaSet> current(Deployment d, List<ReplicaSet> history) {
        return history.stream()
                .filter(rs -> rs.getSpec() != null && rs.getSpec().getTemplate() != null)
                .filter(rs -> same(rs.getSpec().getTemplate(), d.getSpec().getTemplate()))
                .findFirst();
    }

    /** The revisions of a history, ascending, for messages. */
    public static List<Long> revisions(List<ReplicaSet> history) {
        return history.stream()
                .map(Templates::revision)
                .filter(r -> r > 0)
                .sorted()
                .collect(Collectors.toList());
    }

    private static String annotation(Map<String, String> annotations, String key) {
        return annotations == null ? null : annotations.get(key);
    }

    private static long parse(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The value or a default, for fabric8's boxed integers. */
    public static int value(Integer i, int otherwise) {
        return Objects.requireNonNullElse(i, otherwise);
    }
}
