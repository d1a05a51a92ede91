package dev.rollback.api.report;

import dev.rollback.api.internal.Arguments;
import java.time.Instant;
import java.util.Objects;

/**
 * Who aborted a run, why, and when. {@code who} is one non-blank line (a CR or LF is refused); the
 * reason is free text, escaped wherever it is shown.
 *
 * @param who the person or system that aborted
 * @param reason why
 * @param at when
 */
public record Abort(String who, String reason, Instant at) {

    /** Validates. */
    public Abort {
        Arguments.requireText(who, "who");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }
}
