package dev.rollback.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Server-side apply for the mock API server: a {@code PATCH} with {@code application/apply-patch+yaml},
 * {@code ?fieldManager=..[&force=true]}. The applied configuration is merged into the live object
 * (objects field by field, lists and scalars replaced whole), the manager's fields are recorded in
 * {@code metadata.managedFields} ({@code operation: Apply}, {@code fieldsV1}), a field the manager
 * applied before and applies no more is removed unless another manager owns it, and a field owned by
 * another manager that the apply would change is a 409 Conflict naming the manager and the field,
 * unless forced (the field then changes owner). A missing object is created (201). With
 * {@code ?dryRun=All} the answer is computed (conflicts included) and nothing is stored. Called with
 * the dispatcher's lock held.
 */
final class ServerSideApply {

    static final String CONTENT_TYPE = "application/apply-patch+yaml";

    private static final Set<String> SERVER_METADATA = Set.of(
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "managedFields",
            "selfLink",
            "deletionTimestamp");

    private final MockApiDispatcher store;

    ServerSideApply(MockApiDispatcher store) {
        this.store = store;
    }

    MockResponse apply(String path, String query, String body) {
        Map<String, String> params = parameters(query);
        String manager = params.getOrDefault("fieldManager", "");
        if (manager.isBlank()) {
            return MockApiDispatcher.status(
                    400, "BadRequest", "PATCH " + path + ": fieldManager is required for apply requests");
        }
        boolean force = "true".equals(params.get("force"));
        boolean dryRun = params.containsKey("dryRun");
        ObjectNode applied;
        try {
            GenericKubernetesResource parsed = Serialization.unmarshal(body, GenericKubernetesResource.class);
            applied = (ObjectNode) MockApiDispatcher.read(Serialization.asJson(parsed));
        } catch (RuntimeException e) {
            return MockApiDispatcher.status(400, "BadRequest", "error decoding YAML or JSON: " + e.getMessage());
        }
        String name = applied.path("metadata").path("name").asText("");
        String pathName = path.substring(path.lastIndexOf('/') + 1);
        if (applied.path("apiVersion").asText("").isEmpty()
                || applied.path("kind").asText("").isEmpty()
                || name.isEmpty()) {
            return MockApiDispatcher.status(400, "BadRequest", "apiVersion, kind and metadata.name must be set");
        }
        if (!name.equals(pathName)) {
            return MockApiDispatcher.status(
                    400,
                    "BadRequest",
                    "the name of the object (" + name + ") does not match the name on the URL (" + pathName + ")");
        }
        ObjectNode metadata = applied.withObjectProperty("metadata");
        SERVER_METADATA.forEach(metadata::remove);
        applied.remove("status");
        String apiVersion = applied.path("apiVersion").asText();
        Set<List<String>> fields = new LinkedHashSet<>();
        leaves(applied, new ArrayList<>(), fields);
        fields.removeIf(f -> f.equals(List.of("apiVersion"))
                || f.equals(List.of("kind"))
                || f.equals(List.of("metadata", "name"))
                || f.equals(List.of("metadata", "namespace")));

        Optional<ObjectNode> found = store.get(path);
        if (found.isEmpty()) {
            Optional<MockResponse> missing = store.missingNamespace(path);
            if (missing.isPresent()) {
                return missing.get();
            }
            Map<String, Owner> owners = new LinkedHashMap<>();
            owners.put(manager, new Owner(apiVersion, fields));
            metadata.set("managedFields", managedFields(owners));
            if (dryRun) {
                return MockApiDispatcher.object(201, applied);
            }
            return store.create(path.substring(0, path.lastIndexOf('/')), applied);
        }
        ObjectNode live = found.get();
        Map<String, Owner> owners = owners(live);
        Map<String, Set<List<String>>> ownedBefore = fieldsByManager(owners);
        Map<List<String>, String> conflicts = new LinkedHashMap<>();
        for (List<String> field : fields) {
            Optional<JsonNode> current = at(live, field);
            if (current.isPresent() && !current.get().equals(at(applied, field).orElse(null))) {
                owners.forEach((other, owner) -> {
                    if (!other.equals(manager) && owner.fields.contains(field)) {
                        conflicts.putIfAbsent(field, other);
                    }
                });
            }
        }
        if (!conflicts.isEmpty() && !force) {
            return conflict(live, conflicts);
        }
        conflicts.forEach((field, other) -> owners.get(other).fields.remove(field));
        owners.values().removeIf(o -> o.fields.isEmpty());
        Set<List<String>> before =
                Optional.ofNullable(owners.get(manager)).map(o -> o.fields).orElse(Set.of());
        ObjectNode merged = live.deepCopy();
        for (List<String> dropped : before) {
            boolean ownedByOther = owners.entrySet().stream()
                    .anyMatch(e ->
                            !e.getKey().equals(manager) && e.getValue().fields.contains(dropped));
            if (!fields.contains(dropped) && !ownedByOther) {
                remove(merged, dropped);
            }
        }
        merge(merged, applied);
        owners.put(manager, new Owner(apiVersion, fields));
        ObjectNode liveContent = live.deepCopy();
        liveContent.withObjectProperty("metadata").remove("managedFields");
        ObjectNode mergedContent = merged.deepCopy();
        mergedContent.withObjectProperty("metadata").remove("managedFields");
        if (mergedContent.equals(liveContent) && fieldsByManager(owners).equals(ownedBefore)) {
            // a no-op apply changes nothing, not even the managers' timestamps: no new resourceVersion
            return MockApiDispatcher.object(200, live);
        }
        merged.withObjectProperty("metadata").set("managedFields", managedFields(owners));
        if (dryRun) {
            return MockApiDispatcher.object(200, merged);
        }
        return store.update(path, merged);
    }

    private static MockResponse conflict(ObjectNode live, Map<List<String>, String> conflicts) {
        String apiVersion = live.path("apiVersion").asText();
        List<String> each = conflicts.entrySet().stream()
                .map(e -> "conflict with \"" + e.getValue() + "\" using " + apiVersion + ": " + display(e.getKey()))
                .collect(Collectors.toList());
        String message = "Apply failed with " + conflicts.size() + " conflict" + (conflicts.size() == 1 ? "" : "s")
                + ": " + String.join("\n", each);
        ObjectNode status = MockApiDispatcher.JSON
                .createObjectNode()
                .put("apiVersion", "v1")
                .put("kind", "Status")
                .put("status", "Failure")
                .put("message", message)
                .put("reason", "Conflict")
                .put("code", 409);
        status.putObject("metadata");
        ArrayNode causes = status.putObject("details").putArray("causes");
        conflicts.forEach((field, manager) -> causes.addObject()
                .put("reason", "FieldManagerConflict")
                .put("message", "conflict with \"" + manager + "\" using " + apiVersion)
                .put("field", display(field)));
        return MockApiDispatcher.status(409, status);
    }

    private static String display(List<String> field) {
        return "." + String.join(".", field);
    }

    /** Every leaf of {@code node}: scalars, lists (atomic) and empty objects. */
    private static void leaves(JsonNode node, List<String> prefix, Set<List<String>> out) {
        if (node.isObject() && node.size() > 0) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<String> next = new ArrayList<>(prefix);
                next.add(e.getKey());
                leaves(e.getValue(), next, out);
            }
        } else if (!prefix.isEmpty()) {
            out.add(List.copyOf(prefix));
        }
    }

    private static Optional<JsonNode> at(JsonNode node, List<String> field) {
        JsonNode current = node;
        for (String key : field) {
            if (current == null || !current.isObject() || !current.has(key)) {
                return Optional.empty();
            }
            current = current.get(key);
        }
        return Optional.ofNullable(current);
    }

    private static void remove(ObjectNode node, List<String> field) {
        JsonNode current = node;
        for (int i = 0; i < field.size() - 1; i++) {
            current = current.get(field.get(i));
            if (current == null || !current.isObject()) {
                return;
            }
        }
        ((ObjectNode) current).remove(field.get(field.size() - 1));
    }

    private static void merge(ObjectNode target, ObjectNode source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = source.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = target.get(e.getKey());
            if (existing != null && existing.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    /** A manager's apiVersion and fields. */
    private static final class Owner {
        private final String apiVersion;
        private final Set<List<String>> fields;

        Owner(String apiVersion, Set<List<String>> fields) {
            this.apiVersion = apiVersion;
            this.fields = new LinkedHashSet<>(fields);
        }
    }

    private static Map<String, Set<List<String>>> fieldsByManager(Map<String, Owner> owners) {
        Map<String, Set<List<String>>> copy = new HashMap<>();
        owners.forEach((manager, owner) -> copy.put(manager, new LinkedHashSet<>(owner.fields)));
        return copy;
    }

    private static Map<String, Owner> owners(ObjectNode live) {
        Map<String, Owner> owners = new LinkedHashMap<>();
        for (JsonNode entry : live.path("metadata").path("managedFields")) {
            Set<List<String>> fields = new LinkedHashSet<>();
            fieldsOf(entry.path("fieldsV1"), new ArrayList<>(), fields);
            owners.computeIfAbsent(
                            entry.path("manager").asText(""),
                            m -> new Owner(entry.path("apiVersion").asText(""), Set.of()))
                    .fields
                    .addAll(fields);
        }
        return owners;
    }

    /** Reads {@code fieldsV1}: {@code {"f:spec":{"f:replicas":{}}}}; an empty object is a leaf. */
    private static void fieldsOf(JsonNode node, List<String> prefix, Set<List<String>> out) {
        if (node.isObject() && node.size() > 0) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().startsWith("f:")) {
                    continue;
                }
                List<String> next = new ArrayList<>(prefix);
                next.add(e.getKey().substring(2));
                fieldsOf(e.getValue(), next, out);
            }
        } else if (!prefix.isEmpty()) {
            out.add(List.copyOf(prefix));
        }
    }

    private static ArrayNode managedFields(Map<String, Owner> owners) {
        ArrayNode entries = MockApiDispatcher.JSON.createArrayNode();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        owners.forEach((manager, owner) -> {
            ObjectNode fieldsV1 = MockApiDispatcher.JSON.createObjectNode();
            for (List<String> field : owner.fields) {
                ObjectNode node = fieldsV1;
                for (String key : field) {
                    node = node.withObjectProperty("f:" + key);
                }
            }
            entries.addObject()
                    .put("manager", manager)
                    .put("operation", "Apply")
                    .put("apiVersion", owner.apiVersion)
                    .put("time", now)
                    .put("fieldsType", "FieldsV1")
                    .set("fieldsV1", fieldsV1);
        });
        return entries;
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> params = new HashMap<>();
        if (query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(key, value);
        }
        return params;
    }
}
