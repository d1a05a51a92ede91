package dev.rollback.postgres;

import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.ToolArguments;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The runbook's "update connection strings", without the restart: points the application's
 * {@link SwitchableDataSource} at the restored database, after checking the new target answers,
 * and drains the connections to the old one (see {@link SwitchableDataSource#switchTo}). Place it
 * after the restore step and its verifiers in the plan, so it runs only once validation passed.
 *
 * <p>{@linkplain #destructive() Destructive} (writes that still go to the old database after the
 * switch are cut off, so it needs a verified emergency backup before it) and
 * {@linkplain #idempotent() idempotent} (switching to the target already in use does nothing).
 * Never touches either database's data. Immutable and thread-safe.
 *
 * <p>Evidence: {@value #FROM}, {@value #TO}, {@value #DRAINED}, {@value #FORCED}.
 */
public final class ConnectionSwitchStep implements RollbackStep {
    /** Evidence key: the old target's label. */
    public static final String FROM = "switch.from";
    /** Evidence key: the new target's label. */
    public static final String TO = "switch.to";
    /** Evidence key: connections to the old target the application closed while draining. */
    public static final String DRAINED = "switch.drained";
    /** Evidence key: connections to the old target closed by force after the drain timeout. */
    public static final String FORCED = "switch.forced";

    private final String id;
    private final String component;
    private final SwitchableDataSource switchable;
    private final DataSource target;
    private final String label;
    private final Duration drainTimeout;

    private ConnectionSwitchStep(Builder b) {
        this.id = b.id;
        this.component = b.component;
        this.switchable = b.switchable;
        this.target = b.target;
        this.label = b.label;
        this.drainTimeout = b.drainTimeout;
    }

    /** A builder; switchable and target are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The database the application's connections are switched to, by its label. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(label);
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(switchable.currentLabel().equals(label));
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        Duration drain = drainTimeout.compareTo(context.remaining()) < 0 ? drainTimeout : context.remaining();
        SwitchableDataSource.SwitchResult result = switchable.switchTo(target, label, drain);
        context.evidence(FROM, result.from());
        context.evidence(TO, result.to());
        context.evidence(DRAINED, Integer.toString(result.drained()));
        context.evidence(FORCED, Integer.toString(result.forced()));
    }

    @Override
    public String toString() {
        return "ConnectionSwitchStep[" + id + " -> " + label + "]";
    }

    /**
     * Builds a {@link ConnectionSwitchStep}. Setters check their argument at once; not
     * thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private String id = "connection-switch";
        private String component = "postgres";
        private SwitchableDataSource switchable;
        private DataSource target;
        private String label;
        private Duration drainTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** The step id. Default: {@code connection-switch}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The application's data source. Required. */
        public Builder switchable(SwitchableDataSource switchable) {
            this.switchable = Objects.requireNonNull(switchable, "switchable");
            return this;
        }

        /** The restored database, as a data source (a pool to it, or {@link PostgresEndpoint#dataSource()}). */
        public Builder target(DataSource target, String label) {
            this.target = Objects.requireNonNull(target, "target");
            this.label = Arguments.requireText(label, "label");
            return this;
        }

        /** The restored database as an endpoint, labelled with its host, port and database. */
        public Builder target(PostgresEndpoint endpoint) {
            return target(endpoint.dataSource(), endpoint.describe());
        }

        /** How long to wait for the old connections to be closed before closing them. Default: 30 s; positive. */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Arguments.requirePositive(drainTimeout, "drainTimeout");
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if switchable or target is missing
         */
        public ConnectionSwitchStep build() {
            if (switchable == null || target == null) {
                throw new IllegalStateException((switchable == null ? "switchable" : "target") + " is required");
            }
            return new ConnectionSwitchStep(this);
        }
    }
}
