package dev.rollback.core.incident;

import dev.rollback.api.internal.Arguments;
import java.time.Instant;
import java.util.Objects;

/**
 * How an incident was resolved: by whom, with what summary, when. Immutable.
 *
 * @param by who resolved it
 * @param summary what resolved it ("rolled back to release 41; verified")
 * @param at when
 */
public record Resolution(String by, String summary, Instant at) {

    /** Validates. */
    public Resolution {
        Arguments.requireText(by, "by");
        Arguments.requireText(summary, "summary");
        Objects.requireNonNull(at, "at");
    }
}
