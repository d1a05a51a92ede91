package dev.rollback.core.drill;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The four drill plans: for each {@link DrillKind} the plan the application composes for it from its
 * providers' runbook fragments, against its staging targets. Core does not compose them (it knows no
 * provider): the application does, the same way it composes its production plans, with the staging
 * names in place of production's. A typical mapping:
 * <ul>
 *   <li>{@link DrillKind#APPLICATION_ROLLBACK}: the application rollback (App Service slot swap, the
 *       Kubernetes frontend and API server, the CDN purge) against the staging web app and namespace;</li>
 *   <li>{@link DrillKind#DATABASE_RECOVERY}: emergency backup, point-in-time restore, validation and
 *       connection switch against the staging database;</li>
 *   <li>{@link DrillKind#INFRASTRUCTURE_FAILOVER}: the database failover, the storage account failover
 *       gate and the Redis recovery against the staging server, account and cache;</li>
 *   <li>{@link DrillKind#FULL_DISASTER_RECOVERY}: all of them together, as one plan.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. Plans are not checked here: {@link DrillMode} checks a plan's targets
 * when it runs it.
 */
public final class DrillPlans {
    private final Map<DrillKind, RollbackPlan> plans;

    private DrillPlans(Builder b) {
        this.plans = Collections.unmodifiableMap(new EnumMap<>(b.plans));
    }

    /** Starts an empty set of drill plans. */
    public static Builder builder() {
        return new Builder();
    }

    /** The plan of a drill, if one was given. */
    public Optional<RollbackPlan> plan(DrillKind kind) {
        return Optional.ofNullable(plans.get(Objects.requireNonNull(kind, "kind")));
    }

    /** The plan of the drill on the calendar, if one was given. */
    public Optional<RollbackPlan> plan(ScheduledDrill drill) {
        return plan(Objects.requireNonNull(drill, "drill").kind());
    }

    /**
     * The plan of a drill.
     *
     * @throws RollbackException with {@code INVALID_CONFIGURATION} naming the drill when no plan was given
     */
    public RollbackPlan require(DrillKind kind) {
        return plan(kind)
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "no plan for the " + kind.title() + " (" + kind
                                + "): give one with DrillPlans.builder().plan(DrillKind." + kind + ", plan)"));
    }

    /** The drills that have a plan, in the runbook's order. */
    public Set<DrillKind> kinds() {
        return plans.keySet();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("DrillPlans[");
        plans.forEach((k, p) ->
                s.append(s.length() > 11 ? ", " : "").append(k).append('=').append(p.name()));
        return s.append(']').toString();
    }

    /** Builds {@link DrillPlans}. Not thread-safe; {@link #build()} may be called again. */
    public static final class Builder {
        private final Map<DrillKind, RollbackPlan> plans = new EnumMap<>(DrillKind.class);

        private Builder() {}

        /** The plan of a drill, replacing any given before for it. */
        public Builder plan(DrillKind kind, RollbackPlan plan) {
            plans.put(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(plan, "plan"));
            return this;
        }

        /** Builds the drill plans (some drills may have none). */
        public DrillPlans build() {
            return new DrillPlans(this);
        }
    }
}
