package dev.rollback.core.escalation;

import dev.rollback.api.internal.Arguments;
import java.time.Instant;
import java.util.Objects;

/**
 * A request to escalate an incident to every tier at once, as the runbook requires when customer
 * data is affected: by whom, why, when. Immutable.
 *
 * @param by who asked for it
 * @param why the reason ("customer data impact")
 * @param at when
 */
public record ImmediateEscalation(String by, String why, Instant at) {

    /** Validates. */
    public ImmediateEscalation {
        Arguments.requireText(by, "by");
        Arguments.requireText(why, "why");
        Objects.requireNonNull(at, "at");
    }
}
