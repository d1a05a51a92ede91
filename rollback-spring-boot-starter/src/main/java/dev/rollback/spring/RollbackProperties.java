package dev.rollback.spring;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.validation.annotation.Validated;

/**
 * The {@code rollback.*} settings of a Spring Boot application. Bound and validated when the context
 * starts: a bad value stops the application with an error that names the key and the value (for
 * example {@code rollback.executor.parallelism} rejected value {@code 0}), before anything is built.
 * The thresholds, the decision matrix and the components' objectives are not repeated here: they come
 * from the file {@link #getConfig() rollback.config} names, read by {@code rollback-config}.
 *
 * <p>A mutable JavaBean, as Spring binds it; read it, never change it after the context started. Not
 * thread-safe while it is being bound, and only read afterwards.
 */
@Validated
@ConfigurationProperties("rollback")
public class RollbackProperties {
    /** Whether the starter configures anything at all. */
    private boolean enabled = true;

    /**
     * The rollback-config file (YAML, .yaml or .yml, or .properties) with the decision matrix, custom
     * signals, components' objectives, success metrics, escalation and stakeholders, e.g.
     * classpath:rollback.yaml. Default: the runbook's values shipped with rollback-config.
     */
    private Resource config;

    @Valid
    private final Executor executor = new Executor();

    @Valid
    private final Journal journal = new Journal();

    @Valid
    private final Triggers triggers = new Triggers();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** The configuration file, if one was set. */
    public Optional<Resource> config() {
        return Optional.ofNullable(config);
    }

    public Resource getConfig() {
        return config;
    }

    public void setConfig(Resource config) {
        this.config = config;
    }

    public Executor getExecutor() {
        return executor;
    }

    public Journal getJournal() {
        return journal;
    }

    public Triggers getTriggers() {
        return triggers;
    }

    /** The executor that runs plans ({@code rollback.executor.*}). */
    public static class Executor {
        /** How many steps may run at once, 1 to 256. */
        @Min(1)
        @Max(256)
        private int parallelism = 4;

        /** How long a run waits for its plan's run lock before it is refused; zero: do not wait. */
        @NotNull
        @DurationMin(millis = 0)
        @DurationMax(minutes = 10)
        private Duration lockWait = Duration.ZERO;

        public int getParallelism() {
            return parallelism;
        }

        public void setParallelism(int parallelism) {
            this.parallelism = parallelism;
        }

        public Duration getLockWait() {
            return lockWait;
        }

        public void setLockWait(Duration lockWait) {
            this.lockWait = lockWait;
        }
    }

    /** Where runs are journaled ({@code rollback.journal.*}). */
    public static class Journal {
        /**
         * The directory of the file journal and the file run locks (its "locks" folder), used when the
         * PostgreSQL journal is not configured; created when the first run starts.
         */
        @NotNull
        private Path directory = Path.of("rollback");

        /**
         * The schema of the PostgreSQL journal and run lock (provider-postgres and a DataSource present);
         * created when the first run starts.
         */
        @NotNull
        @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_$-]{0,62}", message = "must be a schema name (letters, digits, _ $ -)")
        private String schema = "rollback";

        public Path getDirectory() {
            return directory;
        }

        public void setDirectory(Path directory) {
            this.directory = directory;
        }

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }
    }

    /** The trigger engine and the incident response ({@code rollback.triggers.*}). */
    public static class Triggers {
        /**
         * Whether the trigger engine records the application's HTTP requests, evaluates the decision
         * matrix and runs the plan a decision maps to (an automatic rollback). Off by default.
         */
        private boolean enabled;

        /** How often the rules are evaluated, from 10 ms to 1 minute. */
        @NotNull
        @DurationMin(millis = 10)
        @DurationMax(minutes = 1)
        private Duration evaluationInterval = Duration.ofSeconds(1);

        /** How often the incident response advances its incidents, from 10 ms to 1 minute. */
        @NotNull
        @DurationMin(millis = 10)
        @DurationMax(minutes = 1)
        private Duration tick = Duration.ofSeconds(1);

        /**
         * How long the error-rate and response-time rules must stay healthy after a rollback before
         * recovery is declared.
         */
        @NotNull
        @DurationMin(millis = 0)
        @DurationMax(hours = 1)
        private Duration settleFor = Duration.ofMinutes(5);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getEvaluationInterval() {
            return evaluationInterval;
        }

        public void setEvaluationInterval(Duration evaluationInterval) {
            this.evaluationInterval = evaluationInterval;
        }

        public Duration getTick() {
            return tick;
        }

        public void setTick(Duration tick) {
            this.tick = tick;
        }

        public Duration getSettleFor() {
            return settleFor;
        }

        public void setSettleFor(Duration settleFor) {
            this.settleFor = settleFor;
        }
    }
}
