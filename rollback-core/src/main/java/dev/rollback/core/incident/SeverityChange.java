package dev.rollback.core.incident;

import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import java.time.Instant;
import java.util.Objects;

/**
 * A severity raised by hand: from what, to what, by whom, why and when. Immutable.
 *
 * @param from the severity before
 * @param to the severity after (more severe)
 * @param by who raised it
 * @param why the reason they gave
 * @param at when
 */
public record SeverityChange(Severity from, Severity to, String by, String why, Instant at) {

    /** Validates. */
    public SeverityChange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Arguments.requireText(by, "by");
        Arguments.requireText(why, "why");
        Objects.requireNonNull(at, "at");
    }
}
