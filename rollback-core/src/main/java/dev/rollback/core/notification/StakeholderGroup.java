package dev.rollback.core.notification;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The stakeholder groups of the runbook's "Communication Effectiveness" metrics, each with its
 * limit and target for being told after the incident opened: technical team under 5 minutes
 * (target 2), management under 15 (10), customers under 30 (20), regulators under 4 hours (2),
 * public under 24 hours (12).
 *
 * <p>Immutable and thread-safe.
 */
public enum StakeholderGroup {
    /** The technical team: limit 5 minutes, target 2. */
    TECHNICAL_TEAM("technical-team", Duration.ofMinutes(5), Duration.ofMinutes(2)),
    /** Management: limit 15 minutes, target 10. */
    MANAGEMENT("management", Duration.ofMinutes(15), Duration.ofMinutes(10)),
    /** Customers: limit 30 minutes, target 20. */
    CUSTOMERS("customers", Duration.ofMinutes(30), Duration.ofMinutes(20)),
    /** Regulators: limit 4 hours, target 2. */
    REGULATORS("regulators", Duration.ofHours(4), Duration.ofHours(2)),
    /** The public: limit 24 hours, target 12. */
    PUBLIC("public", Duration.ofHours(24), Duration.ofHours(12));

    private final String id;
    private final Duration limit;
    private final Duration target;

    StakeholderGroup(String id, Duration limit, Duration target) {
        this.id = id;
        this.limit = limit;
        this.target = target;
    }

    /** The group's id, as {@link dev.rollback.api.spi.Notification#stakeholder()} spells it. */
    public String id() {
        return id;
    }

    /** The runbook's limit: latency at or past it is missed. */
    public Duration limit() {
        return limit;
    }

    /** The runbook's target. */
    public Duration target() {
        return target;
    }

    /** The group with this id, if it is one of the runbook's. */
    public static Optional<StakeholderGroup> byId(String id) {
        return Arrays.stream(values()).filter(g -> g.id.equals(id)).findFirst();
    }
}
