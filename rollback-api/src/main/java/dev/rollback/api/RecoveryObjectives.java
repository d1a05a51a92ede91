package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.util.Objects;

/**
 * Recovery Time Objective (how long recovery may take) and Recovery Point Objective (how much
 * recent data may be lost), for a plan or one of its components. Immutable.
 *
 * @param rto the recovery time objective; positive
 * @param rpo the recovery point objective; zero or positive (zero for stateless components)
 */
public record RecoveryObjectives(Duration rto, Duration rpo) {

    /** Validates. */
    public RecoveryObjectives {
        Arguments.requirePositive(rto, "rto");
        Objects.requireNonNull(rpo, "rpo");
        if (rpo.isNegative()) {
            throw new IllegalArgumentException("rpo must not be negative, but was " + rpo);
        }
    }

    /** Objectives with the given RTO and RPO. */
    public static RecoveryObjectives of(Duration rto, Duration rpo) {
        return new RecoveryObjectives(rto, rpo);
    }

    /** Objectives for a stateless component: the given RTO and an RPO of zero. */
    public static RecoveryObjectives stateless(Duration rto) {
        return new RecoveryObjectives(rto, Duration.ZERO);
    }
}
