package dev.rollback.integrations;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.spi.ConfigDocument;
import dev.rollback.integrations.spi.ConfigStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves a component to its backup configuration, or back: the runbook's
 * {@code updateIntegrationConfig('quickbooks', backupConfig)} and
 * {@code cp /config/monitoring-backup.json /config/monitoring.json}. The configuration the
 * application reads ({@link Builder#config(String) config}) is replaced, in its {@link ConfigStore},
 * by the text of the backup configuration ({@link Builder#backup(String) backup}, a second name in
 * the same store) or by a fixed text ({@link Builder#content(String, String) content}); the store
 * keeps the version it replaced.
 *
 * <p>{@link Direction#TO_BACKUP}: if the configuration already holds the target text, nothing is
 * written. Otherwise, if a {@linkplain Builder#healthGate(Verifier) health gate} is set (the
 * backup endpoint's {@code HealthCheckVerifier}), it must pass first: a failing backup endpoint
 * fails the step (transiently, so the executor retries within the deadline) with the check's
 * evidence, and the configuration stays as it was. Then one compare-and-set replace.
 * {@link Direction#BACK} ({@link #switchBack()}): if the configuration holds the target text, the
 * version before it (the store's {@code previous}) is written back; if it does not, the switch was
 * already undone (or someone changed it since) and nothing is written.
 *
 * <p><b>Idempotent</b> in both directions: a repeat finds the state it would make and writes
 * nothing, so the version the store keeps as previous stays the one from before the switch.
 * <b>Not destructive</b>: every replaced version is kept. {@link #preflight} (read-only): both
 * configurations exist, the target holds the {@linkplain Builder#backupMustContain(String) required
 * text}, the store can replace the configuration, and the gate passes. {@link #tookEffect} reads
 * the configuration and compares digests. A concurrent writer makes the replace fail with a
 * {@link dev.rollback.integrations.spi.ConfigConflictException} (never overwritten).
 *
 * <p>Evidence: {@value #STORE}, {@value #NAME}, {@value #SOURCE}, {@value #FROM_VERSION},
 * {@value #FROM_SHA256}, {@value #TO_VERSION}, {@value #TO_SHA256}, {@value #CHANGED}, and for a
 * failed gate {@value #GATE} and {@code config.gate.*} (the check's details). Versions and
 * SHA-256 digests only: never a configuration's text.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigSwitchStep implements RollbackStep {
    /** Evidence key: the store ({@link ConfigStore#describe()}). */
    public static final String STORE = "config.store";
    /** Evidence key: the configuration switched. */
    public static final String NAME = "config.name";
    /** Evidence key: where the target text comes from (the backup's name or the content's label). */
    public static final String SOURCE = "config.source";
    /** Evidence key: the configuration's version before the step. */
    public static final String FROM_VERSION = "config.from.version";
    /** Evidence key: the SHA-256 of the configuration before the step. */
    public static final String FROM_SHA256 = "config.from.sha256";
    /** Evidence key: the configuration's version after the step. */
    public static final String TO_VERSION = "config.to.version";
    /** Evidence key: the SHA-256 of the configuration after the step. */
    public static final String TO_SHA256 = "config.to.sha256";
    /** Evidence key: whether this attempt wrote ({@code true}) or found the state already there ({@code false}). */
    public static final String CHANGED = "config.changed";
    /** Evidence key: what a failed health gate observed. */
    public static final String GATE = "config.gate";

    /** Which way a {@link ConfigSwitchStep} goes. */
    public enum Direction {
        /** Replace the configuration with the backup's text. */
        TO_BACKUP,
        /** Put back the version the switch to the backup replaced. */
        BACK
    }

    private final ConfigStore store;
    private final String id;
    private final String component;
    private final String config;
    private final String backup;
    private final String contentLabel;
    private final String content;
    private final Direction direction;
    private final Verifier gate;
    private final String mustContain;
    private final Duration storeTimeout;

    private ConfigSwitchStep(Builder b) {
        this.store = b.store;
        this.id = b.id;
        this.component = b.component;
        this.config = b.config;
        this.backup = b.backup;
        this.contentLabel = b.contentLabel;
        this.content = b.content;
        this.direction = b.direction;
        this.gate = b.gate;
        this.mustContain = b.mustContain;
        this.storeTimeout = b.storeTimeout;
    }

    /** A builder of a switch in {@code store}. */
    public static Builder builder(ConfigStore store) {
        return new Builder(store);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The configuration switched, in its store: {@code store/config}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(store.describe() + "/" + config);
    }

    /** The configuration switched. */
    public String config() {
        return config;
    }

    /** The backup configuration, if the target text comes from one. */
    public Optional<String> backup() {
        return Optional.ofNullable(backup);
    }

    /** Which way it goes. */
    public Direction direction() {
        return direction;
    }

    /** The store. */
    public ConfigStore store() {
        return store;
    }

    /**
     * The same switch the other way, with id {@code <id>-back} (or the id without {@code -back}):
     * the step that undoes this one. It has no health gate (this step's gate checks the endpoint
     * this step moves to, not the one the way back leads to).
     */
    public ConfigSwitchStep switchBack() {
        Builder b = toBuilder();
        b.direction = direction == Direction.TO_BACKUP ? Direction.BACK : Direction.TO_BACKUP;
        b.gate = null;
        b.id(id.endsWith("-back") ? id.substring(0, id.length() - "-back".length()) : id + "-back");
        return b.build();
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) throws Exception {
        Duration t = budget(context);
        ConfigDocument active = active(t);
        ConfigDocument target = target(t);
        store.checkWritable(config, t);
        if (direction == Direction.TO_BACKUP && !active.sameContentAs(target)) {
            requireContains(target);
            gate(context, true);
        } else if (direction == Direction.BACK && active.sameContentAs(target)) {
            requirePreviousOtherThan(target, t);
            gate(context, true);
        }
    }

    @Override
    public void execute(StepContext context) throws Exception {
        context.checkpoint();
        context.evidence(STORE, store.describe());
        context.evidence(NAME, config);
        context.evidence(SOURCE, source());
        Duration t = budget(context);
        ConfigDocument active = active(t);
        ConfigDocument target = target(t);
        context.evidence(FROM_VERSION, active.version());
        context.evidence(FROM_SHA256, active.sha256());
        String text;
        if (direction == Direction.TO_BACKUP) {
            if (active.sameContentAs(target)) {
                unchanged(context, active);
                return;
            }
            requireContains(target);
            text = target.content();
        } else {
            if (!active.sameContentAs(target)) {
                unchanged(context, active);
                return;
            }
            text = requirePreviousOtherThan(target, t).content();
        }
        gate(context, false);
        context.checkpoint();
        ConfigDocument written = store.replace(
                config, active, text, "run " + context.runId() + " step " + context.stepId(), budget(context));
        context.evidence(TO_VERSION, written.version());
        context.evidence(TO_SHA256, written.sha256());
        context.evidence(CHANGED, "true");
        context.progress(
                "replaced '" + config + "' version " + active.version() + " with version " + written.version());
    }

    /**
     * Whether the configuration is where this step puts it: for {@link Direction#TO_BACKUP}, holding
     * the target text; for {@link Direction#BACK}, not holding it.
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Duration t = budget(context);
        boolean onTarget = active(t).sameContentAs(target(t));
        return Optional.of(direction == Direction.TO_BACKUP ? onTarget : !onTarget);
    }

    private void unchanged(StepContext context, ConfigDocument active) {
        context.evidence(TO_VERSION, active.version());
        context.evidence(TO_SHA256, active.sha256());
        context.evidence(CHANGED, "false");
    }

    private ConfigDocument active(Duration t) {
        return store.read(config, t)
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "step '" + id + "': configuration '" + config + "' does not exist in " + store.describe()));
    }

    private ConfigDocument target(Duration t) {
        if (content != null) {
            return ConfigDocument.of(config, "new", content);
        }
        return store.read(backup, t)
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "step '" + id + "': backup configuration '" + backup + "' does not exist in " + store.describe()
                                + "; nothing was changed"));
    }

    private ConfigDocument requirePreviousOtherThan(ConfigDocument target, Duration t) {
        ConfigDocument previous = store.previous(config, t)
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "step '" + id + "': " + store.describe() + " keeps no earlier version of '" + config
                                + "' to switch back to; nothing was changed"));
        if (previous.sameContentAs(target)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "step '" + id + "': the version of '" + config + "' kept before the current one is "
                            + source() + " too (sha256:" + target.sha256()
                            + "), so there is nothing to switch back to; nothing was changed");
        }
        return previous;
    }

    private void requireContains(ConfigDocument target) {
        if (mustContain != null && !target.content().contains(mustContain)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "step '" + id + "': " + source() + " does not contain the required text '"
                            + Redaction.redact(mustContain) + "'; nothing was changed");
        }
    }

    private void gate(StepContext context, boolean preflight) throws InterruptedException {
        if (gate == null) {
            return;
        }
        Verification v;
        try {
            v = gate.verify(context);
        } catch (InterruptedException | StepInterruptedException e) {
            throw e;
        } catch (Exception e) {
            v = Verification.failed(gate.name(), "the health gate runs", "it threw " + Redaction.describe(e));
        }
        if (v.passed()) {
            return;
        }
        if (!preflight) {
            context.evidence(GATE, Redaction.redact(v.observed()));
            context.evidence(GATE + ".name", v.name());
            context.evidence(GATE + ".checked", Redaction.redact(v.checked()));
            v.details().forEach((k, val) -> context.evidence(GATE + "." + k, Redaction.redact(val)));
        }
        throw new TransientFailureException(
                "step '" + id + "': the endpoint of " + source() + " failed its health check '" + v.name()
                        + "' (expected " + Redaction.redact(v.checked()) + ", observed "
                        + Redaction.redact(v.observed()) + "); '" + config + "' was left unchanged",
                null);
    }

    private String source() {
        if (direction == Direction.BACK) {
            return "the version of '" + config + "' before " + (backup != null ? "'" + backup + "'" : contentLabel);
        }
        return backup != null ? "backup configuration '" + backup + "'" : "content '" + contentLabel + "'";
    }

    private Duration budget(StepContext context) {
        Duration left = context.remaining();
        if (left.isZero()) {
            throw new StepInterruptedException("step '" + id + "' has no time left");
        }
        return left.compareTo(storeTimeout) < 0 ? left : storeTimeout;
    }

    private Builder toBuilder() {
        Builder b = new Builder(store);
        b.id = id;
        b.component = component;
        b.config = config;
        b.backup = backup;
        b.contentLabel = contentLabel;
        b.content = content;
        b.direction = direction;
        b.gate = gate;
        b.mustContain = mustContain;
        b.storeTimeout = storeTimeout;
        return b;
    }

    @Override
    public String toString() {
        return "ConfigSwitchStep[" + id + ", '" + config + "' "
                + (direction == Direction.TO_BACKUP ? "to " : "back from ")
                + (backup != null ? "'" + backup + "'" : contentLabel) + " in " + store.describe() + "]";
    }

    /**
     * Builds a {@link ConfigSwitchStep}: {@link #config} and one of {@link #backup} or
     * {@link #content} are required. Setters check their argument at once; not thread-safe;
     * reusable, each step built keeps its values.
     */
    public static final class Builder {
        private final ConfigStore store;
        private String id = "config-switch";
        private String component = "config";
        private String config;
        private String backup;
        private String contentLabel;
        private String content;
        private Direction direction = Direction.TO_BACKUP;
        private Verifier gate;
        private String mustContain;
        private Duration storeTimeout = Duration.ofSeconds(30);

        private Builder(ConfigStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The step id. Default {@code config-switch}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code config}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The configuration the application reads, to be switched. Required. */
        public Builder config(String config) {
            this.config = Arguments.requireId(config, "config");
            return this;
        }

        /** The backup configuration whose text the switch writes; another name in the same store. */
        public Builder backup(String backup) {
            this.backup = Arguments.requireId(backup, "backup");
            this.content = null;
            this.contentLabel = null;
            return this;
        }

        /**
         * A fixed text to write instead of a backup configuration's (an emergency allow-list);
         * {@code label} names it in evidence and messages. Never a secret.
         */
        public Builder content(String label, String content) {
            this.contentLabel = Arguments.requireId(label, "label");
            this.content = Objects.requireNonNull(content, "content");
            this.backup = null;
            return this;
        }

        /** Which way the step goes. Default {@link Direction#TO_BACKUP}. */
        public Builder direction(Direction direction) {
            this.direction = Objects.requireNonNull(direction, "direction");
            return this;
        }

        /**
         * A check that must pass before anything is written: the health of the endpoint the switch
         * moves to (a {@code dev.rollback.http.HealthCheckVerifier}). Default: none.
         */
        public Builder healthGate(Verifier gate) {
            this.gate = Objects.requireNonNull(gate, "gate");
            return this;
        }

        /**
         * Text the target configuration must contain (the fallback model's name), checked before
         * anything is written. Default: none.
         */
        public Builder backupMustContain(String text) {
            this.mustContain = Arguments.requireText(text, "backupMustContain");
            return this;
        }

        /** The longest a single store call may take (the step's remaining budget caps it further). Default 30 s. */
        public Builder storeTimeout(Duration storeTimeout) {
            this.storeTimeout = Arguments.requirePositive(storeTimeout, "storeTimeout", Duration.ofMinutes(10));
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if config is missing, neither backup nor content is set, or
         *     the backup is the configuration itself
         */
        public ConfigSwitchStep build() {
            if (config == null) {
                throw new IllegalStateException("config is required");
            }
            if (backup == null && content == null) {
                throw new IllegalStateException("one of backup or content is required");
            }
            if (config.equals(backup)) {
                throw new IllegalStateException("backup must differ from config, but both were '" + config + "'");
            }
            return new ConfigSwitchStep(this);
        }
    }
}
