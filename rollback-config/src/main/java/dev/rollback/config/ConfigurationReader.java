package dev.rollback.config;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.Severity;
import dev.rollback.config.internal.ConfigNode;
import dev.rollback.core.escalation.EscalationContacts;
import dev.rollback.core.escalation.EscalationPolicy;
import dev.rollback.core.escalation.EscalationRole;
import dev.rollback.core.escalation.EscalationTier;
import dev.rollback.core.notification.StakeholderGroup;
import dev.rollback.core.trigger.CustomSignal;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.LatencyStatistic;
import dev.rollback.core.trigger.NoDataPolicy;
import dev.rollback.core.trigger.Signal;
import dev.rollback.core.trigger.TriggerRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the sections of a configuration file into a {@link RollbackConfiguration.Builder}. Stateless. */
final class ConfigurationReader {
    private static final Set<String> SECTIONS =
            Set.of("signals", "matrix", "components", "success-metrics", "escalation", "stakeholders");
    private static final Set<String> RULE_KEYS = Set.of(
            "name",
            "signal",
            "above",
            "between",
            "statistic",
            "window",
            "minimum-events",
            "sustain",
            "k-of-n",
            "clear-threshold",
            "hold-time",
            "no-data",
            "action",
            "kind",
            "severity");

    private ConfigurationReader() {}

    static RollbackConfiguration read(ConfigNode root, RollbackConfiguration.Builder b) {
        if (root.isEmptySection()) {
            return b.build();
        }
        root.allowOnly(SECTIONS);
        root.optional("signals").ifPresent(n -> b.signals(signals(n)));
        Map<String, CustomSignal> customs = new LinkedHashMap<>();
        b.signals().forEach(c -> customs.put(c.name(), c));
        root.optional("matrix").ifPresent(n -> b.matrix(matrix(n, customs)));
        root.optional("components").ifPresent(n -> b.components(components(n)));
        root.optional("success-metrics").ifPresent(n -> b.successTargets(successTargets(n, b.successTargets())));
        root.optional("escalation").ifPresent(n -> escalation(n, b));
        root.optional("stakeholders").ifPresent(n -> stakeholders(n, b));
        return b.build();
    }

    // ---- custom signals ----

    private static List<CustomSignal> signals(ConfigNode node) {
        List<CustomSignal> signals = new ArrayList<>();
        node.fields().forEach((name, signal) -> {
            signal.allowOnly(Set.of("kind", "unit"));
            CustomSignal.Kind kind = signal.required("kind").constant(CustomSignal.Kind.class);
            Optional<ConfigNode> unit = signal.optional("unit");
            if (unit.isPresent() && kind != CustomSignal.Kind.GAUGE) {
                throw unit.get()
                        .bad("allowed for a " + kind.name().toLowerCase(Locale.ROOT)
                                + ": only a gauge has a unit of its own (a rate is a ratio, a latency in seconds)");
            }
            signals.add(signal.check(() -> switch (kind) {
                case RATE -> CustomSignal.rate(name);
                case LATENCY -> CustomSignal.latency(name);
                case GAUGE ->
                    CustomSignal.gauge(name, unit.map(ConfigNode::nonBlank).orElse("value"));
            }));
        });
        return signals;
    }

    // ---- matrix ----

    private static DecisionMatrix matrix(ConfigNode node, Map<String, CustomSignal> customs) {
        node.allowOnly(Set.of("name", "rules"));
        DecisionMatrix.Builder matrix = DecisionMatrix.custom();
        node.optional("name").ifPresent(n -> n.check(() -> matrix.name(n.nonBlank())));
        List<ConfigNode> rules = node.required("rules").list();
        if (rules.isEmpty()) {
            throw node.required("rules").bad("a list of at least one rule");
        }
        for (ConfigNode rule : rules) {
            TriggerRule built = rule(rule, customs);
            rule.check(() -> matrix.addRule(built));
        }
        return matrix.build();
    }

    private static TriggerRule rule(ConfigNode node, Map<String, CustomSignal> customs) {
        node.allowOnly(RULE_KEYS);
        TriggerRule.Builder rule = TriggerRule.custom();
        ConfigNode name = node.required("name");
        name.check(() -> rule.name(name.nonBlank()));
        ConfigNode signalNode = node.required("signal");
        CustomSignal custom = customs.get(signalNode.text());
        String unit;
        if (custom != null) {
            rule.signal(custom);
            unit = custom.unit();
        } else {
            Signal builtIn = builtIn(signalNode, customs);
            rule.signal(builtIn);
            unit = builtIn.unit();
        }
        Optional<ConfigNode> above = node.optional("above");
        Optional<ConfigNode> between = node.optional("between");
        if (above.isPresent() && between.isPresent()) {
            throw between.get().bad("allowed beside 'above': a rule has one threshold");
        }
        above.ifPresent(n -> n.check(() -> rule.above(threshold(n, unit))));
        between.ifPresent(n -> {
            List<ConfigNode> band = n.list();
            if (band.size() != 2) {
                throw n.bad("a band of two values, [low, high]");
            }
            double low = threshold(band.get(0), unit);
            double high = threshold(band.get(1), unit);
            n.check(() -> rule.between(low, high));
        });
        node.optional("statistic").ifPresent(n -> rule.statistic(n.constant(LatencyStatistic.class)));
        node.optional("window").ifPresent(n -> n.check(() -> rule.window(n.duration())));
        node.optional("minimum-events").ifPresent(n -> n.check(() -> rule.minimumEvents(n.integer(1))));
        node.optional("sustain").ifPresent(n -> n.check(() -> rule.sustain(n.duration())));
        node.optional("k-of-n").ifPresent(n -> {
            List<ConfigNode> kn = n.list();
            if (kn.size() != 2) {
                throw n.bad("two whole numbers, [breaches, evaluations]");
            }
            int k = (int) kn.get(0).integer(1);
            int total = (int) kn.get(1).integer(1);
            n.check(() -> rule.kOfN(k, total));
        });
        node.optional("clear-threshold").ifPresent(n -> n.check(() -> rule.clearThreshold(threshold(n, unit))));
        node.optional("hold-time").ifPresent(n -> n.check(() -> rule.holdTime(n.duration())));
        node.optional("no-data").ifPresent(n -> rule.noData(n.constant(NoDataPolicy.class)));
        ConfigNode action = node.required("action");
        action.check(() -> rule.action(action.nonBlank()));
        node.optional("kind").ifPresent(n -> rule.kind(n.constant(Decision.Kind.class)));
        node.optional("severity").ifPresent(n -> rule.severity(n.constant(Severity.class)));
        return node.check(rule::build);
    }

    private static Signal builtIn(ConfigNode node, Map<String, CustomSignal> customs) {
        for (Signal s : Signal.values()) {
            if (!s.isCustom()
                    && s.id().equals(node.text().toLowerCase(Locale.ROOT).replace('_', '-'))) {
                return s;
            }
        }
        throw node.bad("a built-in signal "
                + Arrays.stream(Signal.values())
                        .filter(s -> !s.isCustom())
                        .map(Signal::id)
                        .toList()
                + " or one declared under 'signals' " + customs.keySet());
    }

    /** A threshold in the signal's unit: a ratio (0.01 or 1%), percent (90 or 90%), seconds (5s or 5), or a number. */
    private static double threshold(ConfigNode node, String unit) {
        return switch (unit) {
            case "ratio" -> node.ratio();
            case "percent" -> node.percent();
            case "seconds" -> node.durationOrSeconds().toNanos() / 1e9;
            default -> node.number();
        };
    }

    // ---- components ----

    private static Map<String, RecoveryObjectives> components(ConfigNode node) {
        Map<String, RecoveryObjectives> components = new LinkedHashMap<>();
        node.fields().forEach((name, c) -> {
            c.allowOnly(Set.of("rto", "rpo"));
            Duration rto = c.required("rto").duration();
            Duration rpo = c.optional("rpo").map(ConfigNode::duration).orElse(Duration.ZERO);
            components.put(name, c.check(() -> RecoveryObjectives.of(rto, rpo)));
        });
        return node.check(() -> components);
    }

    // ---- success metrics ----

    private static SuccessTargets successTargets(ConfigNode node, SuccessTargets base) {
        node.allowOnly(Set.of(
                "time-to-detect",
                "time-to-decide",
                "time-to-execute",
                "total-recovery",
                "records-lost",
                "availability",
                "performance-restoration",
                "data-integrity",
                "users-affected"));
        SuccessTargets targets = new SuccessTargets(
                durations(node, "time-to-detect", base.timeToDetect()),
                durations(node, "time-to-decide", base.timeToDecide()),
                durations(node, "time-to-execute", base.timeToExecute()),
                durations(node, "total-recovery", base.totalRecovery()),
                counts(node, "records-lost", base.recordsLost()),
                ratios(node, "availability", base.availability()),
                ratios(node, "performance-restoration", base.performanceRestoration()),
                ratios(node, "data-integrity", base.dataIntegrity()),
                counts(node, "users-affected", base.usersAffected()));
        return node.check(() -> targets);
    }

    private static LimitAndTarget<Duration> durations(ConfigNode parent, String key, LimitAndTarget<Duration> base) {
        return parent.optional(key)
                .map(n -> {
                    n.allowOnly(Set.of("limit", "target"));
                    Duration limit = n.required("limit").duration();
                    Duration target = n.required("target").duration();
                    return n.check(() -> lessIsBetter(limit, target));
                })
                .orElse(base);
    }

    private static LimitAndTarget<Long> counts(ConfigNode parent, String key, LimitAndTarget<Long> base) {
        return parent.optional(key)
                .map(n -> {
                    n.allowOnly(Set.of("limit", "target"));
                    long limit = n.required("limit").integer(0);
                    long target = n.required("target").integer(0);
                    return n.check(() -> lessIsBetter(limit, target));
                })
                .orElse(base);
    }

    private static LimitAndTarget<Double> ratios(ConfigNode parent, String key, LimitAndTarget<Double> base) {
        return parent.optional(key)
                .map(n -> {
                    n.allowOnly(Set.of("limit", "target"));
                    double limit = n.required("limit").ratio();
                    double target = n.required("target").ratio();
                    if (target < limit) {
                        throw n.required("target").bad("at least the limit " + limit + " (more is better)");
                    }
                    return LimitAndTarget.of(limit, target);
                })
                .orElse(base);
    }

    private static <T extends Comparable<T>> LimitAndTarget<T> lessIsBetter(T limit, T target) {
        if (target.compareTo(limit) > 0) {
            throw new IllegalArgumentException(
                    "the target must be at most the limit " + limit + " (less is better), but was " + target);
        }
        return LimitAndTarget.of(limit, target);
    }

    // ---- escalation ----

    private static void escalation(ConfigNode node, RollbackConfiguration.Builder b) {
        node.allowOnly(Set.of("tiers", "contacts"));
        node.optional("tiers").ifPresent(tiers -> {
            EscalationPolicy.Builder policy = EscalationPolicy.from(b.escalationPolicy());
            tiers.fields().forEach((id, tier) -> {
                EscalationTier t = byId(EscalationTier.values(), id, tier, "an escalation tier");
                tier.allowOnly(Set.of("after", "reached-from"));
                tier.optional("after").ifPresent(n -> policy.after(t, n.duration()));
                tier.optional("reached-from").ifPresent(n -> {
                    if (n.text().equalsIgnoreCase("none")) {
                        policy.onlyOnImmediateEscalation(t);
                    } else {
                        policy.reachedFrom(t, n.constant(Severity.class));
                    }
                });
            });
            b.escalationPolicy(tiers.check(policy::build));
        });
        node.optional("contacts").ifPresent(contacts -> {
            EscalationContacts.Builder built = EscalationContacts.custom();
            contacts.fields().forEach((id, addresses) -> {
                EscalationRole role = byId(EscalationRole.values(), id, addresses, "an escalation role");
                for (ConfigNode address : addresses.list()) {
                    address.check(() -> built.addContact(role, address.nonBlank()));
                }
            });
            b.escalationContacts(built.build());
        });
    }

    // ---- stakeholders ----

    private static void stakeholders(ConfigNode node, RollbackConfiguration.Builder b) {
        node.fields().forEach((id, group) -> {
            StakeholderGroup g = StakeholderGroup.byId(id)
                    .orElseThrow(() -> group.bad("a stakeholder group: the key must be one of "
                            + Arrays.stream(StakeholderGroup.values())
                                    .map(StakeholderGroup::id)
                                    .toList()));
            group.allowOnly(Set.of("limit", "target", "reached-from", "after", "contacts"));
            StakeholderSettings base = b.stakeholders().get(g);
            Duration limit = group.optional("limit").map(ConfigNode::duration).orElse(base.limit());
            Duration target = group.optional("target").map(ConfigNode::duration).orElse(base.target());
            Severity from = group.optional("reached-from")
                    .map(n -> n.constant(Severity.class))
                    .orElse(base.reachedFrom());
            Duration after = group.optional("after").map(ConfigNode::duration).orElse(base.after());
            List<String> contacts = group.optional("contacts")
                    .map(n -> n.list().stream().map(ConfigNode::nonBlank).toList())
                    .orElse(base.contacts());
            b.stakeholder(g, group.check(() -> new StakeholderSettings(limit, target, from, after, contacts)));
        });
    }

    private static <E extends Enum<E>> E byId(E[] values, String id, ConfigNode node, String what) {
        for (E value : values) {
            if (value.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(id)) {
                return value;
            }
        }
        throw node.bad(what + ": the key must be one of "
                + Arrays.stream(values)
                        .map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                        .toList());
    }
}
