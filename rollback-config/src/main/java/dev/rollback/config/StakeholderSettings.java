package dev.rollback.config;

import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one stakeholder group of the runbook's "Communication Effectiveness" is informed: its limit
 * and target for being told after the incident opened, the least severe severity that informs it,
 * how long after the opening it is told, and its contacts. Immutable.
 *
 * @param limit the latest it may be told
 * @param target the latest it should be told; at most the limit
 * @param reachedFrom the least severe severity that informs the group
 * @param after how long after the incident opened it is told; below the limit
 * @param contacts the addresses a notifier understands, in order
 */
public record StakeholderSettings(
        Duration limit, Duration target, Severity reachedFrom, Duration after, List<String> contacts) {

    /** Checks the parts and copies the contacts. */
    public StakeholderSettings {
        Arguments.requirePositive(limit, "limit");
        Arguments.requirePositive(target, "target");
        Objects.requireNonNull(reachedFrom, "reachedFrom");
        Arguments.requireNotNegative(after, "after");
        if (target.compareTo(limit) > 0) {
            throw new IllegalArgumentException("target must be at most the limit " + limit + ", but was " + target);
        }
        if (after.compareTo(limit) >= 0) {
            throw new IllegalArgumentException(
                    "after must be below the limit " + limit + " (the deadline could not be met), but was " + after);
        }
        contacts = List.copyOf(contacts);
        contacts.forEach(c -> Arguments.requireText(c, "contact"));
    }
}
