package dev.rollback.api.internal;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The digest of a {@link RollbackPlan}: see {@link RollbackPlan#digest()} for what goes in. Each field
 * is written as its UTF-8 length, ':' and its bytes, so no two plans share an encoding. Stateless.
 */
public final class PlanDigest {
    private static final String VERSION = "dev.rollback.plan-digest/v1";

    private PlanDigest() {}

    /** The lowercase hex SHA-256 digest of {@code plan}. */
    public static String of(RollbackPlan plan) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        Fields f = new Fields(md);
        f.add(VERSION).add(plan.name()).add(plan.key());
        f.add(plan.objectives());
        f.add(Boolean.toString(plan.failFast())).add(plan.defaultRetry().toString());
        Map<String, RecoveryObjectives> components = new TreeMap<>(plan.components());
        f.add(Integer.toString(components.size()));
        components.forEach((name, objectives) -> f.add(name).add(objectives));
        List<String> actions = plan.carriesOut().stream().sorted().toList();
        f.add(Integer.toString(actions.size()));
        actions.forEach(f::add);
        f.add(Integer.toString(plan.steps().size()));
        for (PlannedStep s : plan.steps()) {
            RollbackStep step = s.step();
            f.add(s.id()).add(s.component()).add(step.getClass().getName());
            f.add(Boolean.toString(step.idempotent()))
                    .add(Boolean.toString(step.destructive()))
                    .add(Boolean.toString(step.safeguard()));
            f.add(step.actsOn());
            List<String> deps = s.dependsOn().stream().sorted().toList();
            f.add(Integer.toString(deps.size()));
            deps.forEach(f::add);
            f.add(s.timeout().map(Duration::toString));
            f.add(s.stallTimeout().map(Duration::toString));
            f.add(s.retry().map(Object::toString));
            f.add(s.withoutSafeguard());
            f.add(Integer.toString(s.verifiers().size()));
            s.verifiers().forEach(v -> f.add(v.name()));
        }
        f.add(Integer.toString(plan.verifiers().size()));
        plan.verifiers().stream().map(Verifier::name).forEach(f::add);
        return HexFormat.of().formatHex(md.digest());
    }

    /** Writes length-prefixed fields into a digest. */
    private static final class Fields {
        private final MessageDigest md;

        Fields(MessageDigest md) {
            this.md = md;
        }

        Fields add(String field) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            md.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            md.update((byte) ':');
            md.update(bytes);
            return this;
        }

        Fields add(Optional<String> field) {
            return field.isPresent() ? add("1").add(field.get()) : add("0");
        }

        Fields add(RecoveryObjectives objectives) {
            return add(objectives.rto().toString()).add(objectives.rpo().toString());
        }
    }
}
