package dev.rollback.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.javaprop.JavaPropsMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import dev.rollback.config.internal.ConfigNode;
import dev.rollback.core.escalation.EscalationContacts;
import dev.rollback.core.escalation.EscalationPolicy;
import dev.rollback.core.notification.StakeholderGroup;
import dev.rollback.core.notification.StakeholderNotices;
import dev.rollback.core.trigger.CustomSignal;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's numbers as configuration: the application's own signals, the decision matrix (every
 * threshold, on built-in or own signals), each component's
 * recovery objectives, the success metrics' limits and targets, the escalation ladder with its
 * contacts, and how each stakeholder group is informed. Read from YAML or properties
 * ({@link #load(Path)}), or built in code ({@link #custom()}); {@link #ofDefaults()} reads the
 * shipped file of the runbook's values, {@link #runbook()} builds the same in code.
 *
 * <p><b>Files.</b> The format and every key are in {@code docs/operations.md} and in the shipped
 * {@code dev/rollback/config/runbook.yaml}. A top-level section left out of a file keeps the
 * runbook's values; the {@code matrix} and {@code components} sections given replace the runbook's
 * whole; in {@code success-metrics}, {@code escalation.tiers} and {@code stakeholders} each entry
 * given replaces that entry. Every value is checked when read, with the library's own rules (the
 * builders' checks): a bad value, an unknown key or a missing one throws
 * {@link ConfigurationException} naming the file, the key and the value, before anything is built.
 *
 * <p>Immutable and thread-safe. It starts nothing and holds no secret (contacts are addresses).
 */
public final class RollbackConfiguration {
    /** The classpath resource of the shipped runbook file. */
    public static final String RUNBOOK_RESOURCE = "dev/rollback/config/runbook.yaml";

    private final List<CustomSignal> signals;
    private final DecisionMatrix matrix;
    private final Map<String, RecoveryObjectives> components;
    private final SuccessTargets successTargets;
    private final EscalationPolicy escalationPolicy;
    private final EscalationContacts escalationContacts;
    private final Map<StakeholderGroup, StakeholderSettings> stakeholders;

    private RollbackConfiguration(Builder b) {
        this.signals = List.copyOf(b.signals);
        this.matrix = b.matrix;
        this.components = Collections.unmodifiableMap(new LinkedHashMap<>(b.components));
        this.successTargets = b.successTargets;
        this.escalationPolicy = b.escalationPolicy;
        this.escalationContacts = b.escalationContacts;
        this.stakeholders = Collections.unmodifiableMap(new EnumMap<>(b.stakeholders));
    }

    /** The runbook's values, built in code: what {@link #ofDefaults()} reads from the shipped file. */
    public static RollbackConfiguration runbook() {
        return new Builder().build();
    }

    /**
     * The shipped file of the runbook's values ({@value #RUNBOOK_RESOURCE}), read and checked.
     *
     * @throws ConfigurationException if the resource is missing from the class path
     */
    public static RollbackConfiguration ofDefaults() {
        InputStream in = RollbackConfiguration.class.getClassLoader().getResourceAsStream(RUNBOOK_RESOURCE);
        if (in == null) {
            throw new ConfigurationException(
                    "", "", RUNBOOK_RESOURCE + " is not on the class path: add dev.rollback:rollback-config");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return fromYaml(reader, RUNBOOK_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads {@code file}: YAML when its name ends in {@code .yaml} or {@code .yml}, properties when in
     * {@code .properties}.
     *
     * @throws ConfigurationException for another extension, or a bad, unknown or missing key
     * @throws RollbackException with {@link ErrorCode#INVALID_CONFIGURATION} if the file cannot be read
     */
    public static RollbackConfiguration load(Path file) {
        Objects.requireNonNull(file, "file");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        if (!yaml && !name.endsWith(".properties")) {
            throw new ConfigurationException(
                    "", "", file + ": a configuration file must end in .yaml, .yml or .properties");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return yaml ? fromYaml(reader, file.toString()) : fromProperties(reader, file.toString());
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION, "cannot read configuration file " + file + ": " + e, e);
        }
    }

    /**
     * Reads YAML from {@code yaml}; {@code source} names it in errors.
     *
     * @throws ConfigurationException for a bad, unknown or missing key, or text that is not YAML
     */
    public static RollbackConfiguration fromYaml(Reader yaml, String source) {
        return read(new YAMLMapper(), yaml, source);
    }

    /**
     * Reads properties from {@code properties} ({@code matrix.rules.1.name=error-rate}: list items are
     * numbered keys, or comma-separated values); {@code source} names it in errors.
     *
     * @throws ConfigurationException for a bad, unknown or missing key
     */
    public static RollbackConfiguration fromProperties(Reader properties, String source) {
        return read(new JavaPropsMapper(), properties, source);
    }

    private static RollbackConfiguration read(ObjectMapper mapper, Reader in, String source) {
        Objects.requireNonNull(in, "in");
        Arguments.requireText(source, "source");
        JsonNode tree;
        try {
            tree = mapper.readTree(in);
        } catch (JsonProcessingException e) {
            throw new ConfigurationException("", "", source + ": not readable: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RollbackException(ErrorCode.INVALID_CONFIGURATION, source + ": cannot be read: " + e, e);
        }
        ConfigNode root = ConfigNode.root(source, tree == null ? mapper.createObjectNode() : tree);
        return ConfigurationReader.read(root, new Builder());
    }

    /** A builder starting from the runbook's values. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}. */
    public static Builder from(RollbackConfiguration base) {
        return new Builder(Objects.requireNonNull(base, "base"));
    }

    /** The application's own signals declared (rules on them register them too). */
    public List<CustomSignal> signals() {
        return signals;
    }

    /**
     * A {@link TriggerEngine} builder with this matrix and these custom signals; add a clock,
     * listeners and the rest, and build it.
     */
    public TriggerEngine.Builder triggerEngine() {
        TriggerEngine.Builder engine = TriggerEngine.builder().matrix(matrix);
        signals.forEach(engine::signal);
        return engine;
    }

    /** The trigger rules: thresholds, windows, sustains, actions. */
    public DecisionMatrix matrix() {
        return matrix;
    }

    /** The recovery objectives of each component, in file order. */
    public Map<String, RecoveryObjectives> components() {
        return components;
    }

    /** The objectives of {@code component}, if configured. */
    public Optional<RecoveryObjectives> objectivesOf(String component) {
        return Optional.ofNullable(components.get(Objects.requireNonNull(component, "component")));
    }

    /** The success metrics' limits and targets. */
    public SuccessTargets successTargets() {
        return successTargets;
    }

    /** When each escalation tier is paged. */
    public EscalationPolicy escalationPolicy() {
        return escalationPolicy;
    }

    /** Who is paged for each escalation role. */
    public EscalationContacts escalationContacts() {
        return escalationContacts;
    }

    /** How each stakeholder group is informed, in the runbook's order. */
    public Map<StakeholderGroup, StakeholderSettings> stakeholders() {
        return stakeholders;
    }

    /**
     * A {@link StakeholderNotices} builder with these groups' severities, delays and contacts; add the
     * dispatcher and clock and build it.
     */
    public StakeholderNotices.Builder stakeholderNotices() {
        StakeholderNotices.Builder notices = StakeholderNotices.custom();
        stakeholders.forEach((group, settings) -> {
            notices.reachedFrom(group, settings.reachedFrom()).after(group, settings.after());
            settings.contacts().forEach(contact -> notices.addContact(group, contact));
        });
        return notices;
    }

    @Override
    public String toString() {
        return "RollbackConfiguration[" + matrix + ", " + components.size() + " components]";
    }

    /** Builds a {@link RollbackConfiguration}. Not thread-safe; reusable. */
    public static final class Builder {
        private final List<CustomSignal> signals = new ArrayList<>();
        private DecisionMatrix matrix = DecisionMatrix.ofDefaults();
        private final Map<String, RecoveryObjectives> components = new LinkedHashMap<>();
        private SuccessTargets successTargets = SuccessTargets.runbook();
        private EscalationPolicy escalationPolicy = EscalationPolicy.ofDefaults();
        private EscalationContacts escalationContacts =
                EscalationContacts.custom().build();
        private final Map<StakeholderGroup, StakeholderSettings> stakeholders = new EnumMap<>(StakeholderGroup.class);

        private Builder() {
            components.putAll(runbookComponents());
            for (StakeholderGroup group : StakeholderGroup.values()) {
                stakeholders.put(
                        group,
                        new StakeholderSettings(
                                group.limit(), group.target(), runbookReachedFrom(group), Duration.ZERO, List.of()));
            }
        }

        private Builder(RollbackConfiguration base) {
            signals.addAll(base.signals);
            matrix = base.matrix;
            components.putAll(base.components);
            successTargets = base.successTargets;
            escalationPolicy = base.escalationPolicy;
            escalationContacts = base.escalationContacts;
            stakeholders.putAll(base.stakeholders);
        }

        /** Replaces the application's own signals declared. Default: none. */
        public Builder signals(List<CustomSignal> signals) {
            List<CustomSignal> copy = List.copyOf(signals);
            this.signals.clear();
            this.signals.addAll(copy);
            return this;
        }

        /** The decision matrix. Default: {@link DecisionMatrix#ofDefaults()}. */
        public Builder matrix(DecisionMatrix matrix) {
            this.matrix = Objects.requireNonNull(matrix, "matrix");
            return this;
        }

        /** Replaces every component's objectives with {@code components}. Default: the runbook's 13. */
        public Builder components(Map<String, RecoveryObjectives> components) {
            Map<String, RecoveryObjectives> copy = new LinkedHashMap<>();
            components.forEach((name, objectives) ->
                    copy.put(Arguments.requireId(name, "component"), Objects.requireNonNull(objectives, name)));
            this.components.clear();
            this.components.putAll(copy);
            return this;
        }

        /** Sets (or replaces) the objectives of one component. */
        public Builder component(String component, RecoveryObjectives objectives) {
            components.put(
                    Arguments.requireId(component, "component"), Objects.requireNonNull(objectives, "objectives"));
            return this;
        }

        /** The success metrics' limits and targets. Default: {@link SuccessTargets#runbook()}. */
        public Builder successTargets(SuccessTargets successTargets) {
            this.successTargets = Objects.requireNonNull(successTargets, "successTargets");
            return this;
        }

        /** When each tier is paged. Default: {@link EscalationPolicy#ofDefaults()}. */
        public Builder escalationPolicy(EscalationPolicy escalationPolicy) {
            this.escalationPolicy = Objects.requireNonNull(escalationPolicy, "escalationPolicy");
            return this;
        }

        /** Who is paged for each role. Default: none. */
        public Builder escalationContacts(EscalationContacts escalationContacts) {
            this.escalationContacts = Objects.requireNonNull(escalationContacts, "escalationContacts");
            return this;
        }

        /** How {@code group} is informed. Default: the runbook's limits and severities, at once, no contact. */
        public Builder stakeholder(StakeholderGroup group, StakeholderSettings settings) {
            stakeholders.put(Objects.requireNonNull(group, "group"), Objects.requireNonNull(settings, "settings"));
            return this;
        }

        /** Builds the configuration. */
        public RollbackConfiguration build() {
            return new RollbackConfiguration(this);
        }

        private static Map<String, RecoveryObjectives> runbookComponents() {
            Map<String, RecoveryObjectives> c = new LinkedHashMap<>();
            c.put("app-service", objectives(5, 0));
            c.put("database", objectives(15, 1));
            c.put("storage-account", objectives(2, 5));
            c.put("redis-cache", objectives(1, 5));
            c.put("frontend", objectives(2, 0));
            c.put("api-server", objectives(3, 0));
            c.put("authentication", objectives(5, 0));
            c.put("security-monitoring", objectives(1, 0));
            c.put("quickbooks-integration", objectives(10, 15));
            c.put("ai-services", objectives(5, 0));
            c.put("application-insights", objectives(2, 1));
            c.put("point-in-time-recovery", objectives(30, 5));
            c.put("file-storage-recovery", objectives(15, 10));
            return c;
        }

        private static RecoveryObjectives objectives(int rtoMinutes, int rpoMinutes) {
            return RecoveryObjectives.of(Duration.ofMinutes(rtoMinutes), Duration.ofMinutes(rpoMinutes));
        }

        /** StakeholderNotices' own defaults, which are the runbook's (its class javadoc). */
        static Severity runbookReachedFrom(StakeholderGroup group) {
            return switch (group) {
                case TECHNICAL_TEAM -> Severity.SEV2;
                case MANAGEMENT, CUSTOMERS -> Severity.SEV1;
                case REGULATORS, PUBLIC -> Severity.SEV0;
            };
        }

        // for the reader: what a file sets, section by section
        List<CustomSignal> signals() {
            return signals;
        }

        Map<StakeholderGroup, StakeholderSettings> stakeholders() {
            return stakeholders;
        }

        SuccessTargets successTargets() {
            return successTargets;
        }

        EscalationPolicy escalationPolicy() {
            return escalationPolicy;
        }
    }
}
